"""The examples' ``--threads N`` option: BLAS threads through ``mg.set_num_threads`` (see the
README's "Data and threads": on a busy machine, one thread is much faster)."""

import argparse

import minigrad as mg

BUSY_MACHINE_HELP = "CPU threads for BLAS (default: one per core); 1 on a busy machine"


def add_threads_option(parser: argparse.ArgumentParser, help: str = BUSY_MACHINE_HELP) -> None:  # noqa: A002
    parser.add_argument("--threads", type=int, default=None, help=help)


def apply_threads_option(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Use ``args.threads`` BLAS threads; a bad count exits with the usage and minigrad's message."""
    if args.threads is not None:
        try:
            mg.set_num_threads(args.threads)
        except mg.errors.MinigradError as exc:
            parser.error(str(exc))
