"""The README's tour must run as written."""

import json
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


def test_readme_data_parallel_block_runs_on_two_ranks(tmp_path):
    from mpi_harness import run_mpi  # skips, with the reason, without mpi4py or mpiexec

    blocks = [b for b in re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
              if ON_SEVERAL_PROCESSES in b]
    assert len(blocks) == 1, "the section 'On several processes' has one python block"
    # each rank also writes its History to a file of its own: mpiexec forwards the ranks'
    # prints into one pipe, where under load they interleave even inside a line
    record = ("\nimport json as _json, os as _os\n"
              "_path = _os.path.join(_os.environ['README_TEST_OUT'], f'rank{strategy.rank}.json')\n"
              "with open(_path, 'w') as _f:\n"
              "    _json.dump(history.history['loss'], _f)\n")
    done = run_mpi(blocks[0] + record, n=2, env={"README_TEST_OUT": str(tmp_path)})
    assert done.returncode == 0, done.stderr[-3000:]
    assert sorted(p.name for p in tmp_path.glob("rank*.json")) == ["rank0.json", "rank1.json"], done.stdout
    losses = [json.loads((tmp_path / f"rank{r}.json").read_text()) for r in (0, 1)]
    assert losses[0] == losses[1] and len(losses[0]) >= 1  # one History on every rank
    assert all(0 < loss < 10 for loss in losses[0]), losses
    assert re.search(r"[01]", done.stdout), done.stdout  # the block's own print ran
