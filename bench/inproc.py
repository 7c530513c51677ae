"""Entry point of the measurements that run inside the application: `python -m bench.inproc COMMAND`.

bench/run.py starts it with the environment of `bench.common.child_env` (one bench database,
production settings). Every command prints one line `BENCH_JSON {...}` with its figures; the
work itself is in bench/measures.py, which needs Django set up before it is imported.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

import django

from bench.common import JSON_MARK


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench.inproc")
    commands = parser.add_subparsers(dest="command", required=True)
    fixtures = commands.add_parser("fixtures", help="bench logins and pledges; the ids the pages need")
    fixtures.add_argument("--officers", type=int, default=16)
    for name in ("compile", "eligibility", "reminders"):
        command = commands.add_parser(name)
        command.add_argument("--reps", type=int, default=5)
    commands.choices["reminders"].add_argument("--target", type=int, default=1000)
    commands.add_parser("queries", help="query counts of the main pages, in the view and while rendering")
    commands.add_parser("retire-snapshots", help="make the ranked year's final snapshots not current")
    restore = commands.add_parser("restore-snapshots", help="undo retire-snapshots")
    restore.add_argument("ids", nargs="*", type=int)
    commands.add_parser("eligibility-peak", help="peak memory of one eligibility run in this process")
    profile = commands.add_parser("profile", help="pyinstrument profile of a page or of the compile")
    profile.add_argument("target", help="'compile' or the key of a page of `queries`")
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from bench import measures  # noqa: PLC0415 - imports the application's models: needs django.setup()

    result = measures.COMMANDS[args.command](args)
    sys.stdout.write(JSON_MARK + json.dumps(result, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
