"""The README's tour must run as written."""

import re
from pathlib import Path

README = Path(__file__).resolve().parents[1] / "README.md"
ON_SEVERAL_PROCESSES = "DataParallel()"  # that block runs on 2 MPI ranks, not in this process


def test_readme_tour_runs(capsys):
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "README.md has no python block"
    for block in blocks:
        if ON_SEVERAL_PROCESSES in block:
            continue
        exec(compile(block, "README.md", "exec"), {})
    printed = capsys.readouterr().out
    assert "[[ 6., 12.],\n       [18., 24.]]" in printed  # 6x at x = [[1, 2], [3, 4]]
    assert "(1, 8, 8, 4)" in printed


def test_readme_data_parallel_block_runs_on_two_ranks():
    from mpi_harness import run_mpi  # skips, with the reason, without mpi4py or mpiexec

    blocks = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
              if ON_SEVERAL_PROCESSES in b]
    assert len(blocks) == 1, "the section 'On several processes' has one python block"
    done = run_mpi(blocks[0], n=2)
    assert done.returncode == 0, done.stderr[-3000:]
    # each rank prints "RANK [losses]"; mpiexec forwards both ranks into one pipe, where their
    # lines can run together on one line, so find the two prints wherever they are
    printed = sorted(re.findall(r"(?<![\d.])([01]) (\[[^\]]*\])", done.stdout))
    assert [rank for rank, _ in printed] == ["0", "1"], done.stdout
    assert printed[0][1] == printed[1][1]  # one History on every rank
