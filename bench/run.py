"""`make bench`: speed and scale at 1x, 10x and 100x the demo, as ratios to baselines of the same run.

    make bench                      # scales 1, 10, 100 (reuses the bench databases when seeded alike)
    make bench SCALES=1,10          # quicker
    make bench FRESH=1              # drop and seed the bench databases again
    .venv/bin/python bench/run.py --help

Needs PostgreSQL (DATABASE_URL), Redis (REDIS_URL) and wrk (Debian package; installed with
apt-get when missing and running as root). Everything runs on 127.0.0.1, every run is bounded,
and every process started here is stopped here. See bench/README.md.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

if __name__ == "__main__":  # `python bench/run.py`: import the package from the project root
    sys.path[0] = str(Path(__file__).resolve().parent.parent)

from bench import data, load, memory, report
from bench.common import (
    DEFAULT_SCALES,
    ROOT,
    BenchError,
    Config,
    Log,
    db_name,
    require_services,
    run_inproc,
)

LOCAL_TZ = ZoneInfo("Asia/Ho_Chi_Minh")
QUERY_SCALES = (1, 10)  # query counts are compared at these data sizes
ELIGIBILITY_SCALES = (1, 10)
# The eligibility and reminder runs take seconds to tens of seconds each at 10x and 100x: fewer
# repetitions keep a full run near 20 minutes (the medians stay medians of 3).
SLOW_REPS = 3
# A full run (every scale) writes its table into the performance page, between these markers.
DOCS_PAGE = ROOT / "docs" / "performance.md"
DOCS_START, DOCS_END = "<!-- bench:latest -->", "<!-- /bench:latest -->"


def _scales(text: str) -> tuple[int, ...]:
    try:
        scales = tuple(sorted({int(part) for part in text.split(",") if part.strip()}))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"scales are whole numbers separated by commas, not {text!r}"
        ) from None
    if not scales or min(scales) < 1:
        raise argparse.ArgumentTypeError("give at least one scale of 1 or more")
    return scales


def parse_args(argv: list[str] | None) -> Config:
    parser = argparse.ArgumentParser(prog="bench/run.py", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", type=_scales, default=DEFAULT_SCALES, help="e.g. 1,10 (default 1,10,100)")
    parser.add_argument("--fresh", action="store_true", help="drop and rebuild the bench databases")
    parser.add_argument("--seed", type=int, default=2021)
    parser.add_argument("--reps", type=int, default=5, help="repetitions of each in-process measurement")
    parser.add_argument("--load-seconds", type=int, default=12, help="length of one wrk run (10-20 s)")
    parser.add_argument("--load-rounds", type=int, default=3, help="rounds of every page and the floor")
    parser.add_argument(
        "--load-scale", type=int, default=None, help="data size of the page load (default 10)"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--pages", default="", help="load only these scenarios, e.g. floor,ranking")
    parser.add_argument("--no-load", action="store_true", help="skip the page load (no gunicorn, no wrk)")
    parser.add_argument("--no-celery", action="store_true", help="skip the Celery worker's memory")
    parser.add_argument("--no-profile", action="store_true", help="do not profile the missed targets")
    parser.add_argument("--prefix", default="emulation_bench", help="bench databases are PREFIX_<scale>")
    parser.add_argument("--no-write", action="store_true", help="print the table only")
    args = parser.parse_args(argv)
    return Config(
        scales=args.scales,
        seed=args.seed,
        reps=max(1, args.reps),
        load_seconds=max(1, args.load_seconds),
        load_rounds=max(1, args.load_rounds),
        load_scale=args.load_scale,
        connections=max(1, args.connections),
        fresh=args.fresh,
        prefix=args.prefix,
        load=not args.no_load,
        celery=not args.no_celery,
        profile=not args.no_profile,
        pages=tuple(part.strip() for part in args.pages.split(",") if part.strip()) or None,
        write_results=not args.no_write,
    )


def _print(message: str) -> None:
    stamp = datetime.datetime.now(LOCAL_TZ).strftime("%H:%M:%S")
    print(f"[bench {stamp}] {message}", flush=True)


class Steps:
    """Runs the measurements one by one; a failed step is recorded and the others still run."""

    def __init__(self, results: dict, log: Log) -> None:
        self.results, self.log = results, log

    def run(self, name: str, function: Callable[[], object]) -> object | None:
        started = time.monotonic()
        self.log(f"{name} ...")
        try:
            value = function()
        except BenchError as error:
            self.log(f"{name} FAILED: {error}")
            self.results["failures"].append((name, str(error)))
            return None
        except Exception as error:  # noqa: BLE001 - one broken measurement must not hide the others
            self.log(f"{name} FAILED:\n{traceback.format_exc()}")
            self.results["failures"].append((name, f"{type(error).__name__}: {error}"))
            return None
        self.log(f"{name}: done in {time.monotonic() - started:.0f} s")
        return value


def _machine(cfg: Config, log: Log) -> dict:
    extra = {}
    try:
        extra.update(data.server_facts(cfg))
    except BenchError as error:
        log(str(error))
    wrk = load.wrk_path()
    if wrk:
        import subprocess  # noqa: PLC0415 - one version probe

        probe = subprocess.run([wrk, "--version"], capture_output=True, text=True, timeout=10, check=False)
        extra["wrk"] = (
            (probe.stdout or probe.stderr).splitlines()[0] if (probe.stdout or probe.stderr) else "?"
        )
    try:
        import django  # noqa: PLC0415 - versions only; the orchestrator never sets Django up
        import gunicorn  # noqa: PLC0415

        extra["django"] = django.get_version()
        extra["gunicorn"] = gunicorn.__version__
    except ImportError:
        pass
    with open("/proc/loadavg", encoding="utf-8") as loadavg:
        extra["load average at start"] = " ".join(loadavg.read().split()[:3])
    return report.machine_facts(extra)


def _profile_misses(cfg: Config, rows: list[report.Row], results: dict, var_dir: Path, log: Log) -> None:
    """pyinstrument profiles of every missed target that runs in one process (at its scale)."""
    wanted: dict[str, int] = {}
    for row in rows:
        if row.result != report.MISS or not row.key:
            continue
        scale_text = row.scale.split("→")[-1].strip().rstrip("×")
        scale = int(scale_text) if scale_text.isdigit() else max(cfg.scales)
        if row.key == "eligibility":
            # The cost per subject is the same at every scale; the smallest profiles quickest.
            wanted["eligibility"] = min(scale, wanted.get("eligibility", scale))
        else:  # the compile, a page: where the data is largest
            target = row.key.removeprefix("page:")
            wanted[target] = max(scale, wanted.get(target, scale))
    for target, scale in wanted.items():
        try:
            answer = run_inproc(cfg, scale, "profile", target, var_dir=var_dir, timeout=900)
        except BenchError as error:
            log(f"profile of {target} failed: {error}")
            continue
        results["profiles"][f"{target} at {scale}×"] = answer["text"]


def run_bench(cfg: Config, log: Log = _print) -> tuple[dict, list[report.Row], str]:
    """Every measurement of `cfg`; returns the results, the table rows and the Markdown text."""
    require_services(cfg)
    if cfg.load:
        load.ensure_wrk(log, install=True)  # before the long steps: say now what is missing
    started = datetime.datetime.now(LOCAL_TZ)
    clock = time.monotonic()
    results: dict = {
        "date": started.date().isoformat(),
        "started": started.strftime("%d/%m/%Y %H:%M"),
        "config": {
            "scales": list(cfg.scales),
            "reps": cfg.reps,
            "load_seconds": cfg.load_seconds,
            "load_rounds": cfg.load_rounds,
            "connections": cfg.connections,
            "command": "bench/run.py " + " ".join(sys.argv[1:]) if sys.argv[1:] else "bench/run.py",
        },
        "machine": _machine(cfg, log),
        "failures": [],
        "prepared": {},
        "fixtures": {},
        "compile": {},
        "eligibility": {},
        "reminders": {},
        "queries": {},
        "load": None,
        "memory": None,
        "profiles": {},
    }
    steps = Steps(results, log)
    var_dir = Path(tempfile.mkdtemp(prefix="emulation-bench-"))
    try:
        for scale in cfg.scales:
            marker = steps.run(
                f"data {db_name(cfg, scale)}", lambda s=scale: data.prepare(cfg, s, var_dir=var_dir, log=log)
            )
            if marker is None:
                continue
            results["prepared"][scale] = marker
            fixtures = steps.run(
                f"fixtures {scale}×",
                lambda s=scale: run_inproc(
                    cfg,
                    s,
                    "fixtures",
                    "--officers",
                    str(cfg.connections),
                    var_dir=var_dir,
                    extra_env={"BENCH_PASSWORD": cfg.officer_password},
                ),
            )
            if fixtures is not None:
                results["fixtures"][scale] = fixtures
        ready = [scale for scale in cfg.scales if scale in results["fixtures"]]
        for scale in ready:
            value = steps.run(
                f"ranking compile {scale}×",
                lambda s=scale: run_inproc(cfg, s, "compile", "--reps", str(cfg.reps), var_dir=var_dir),
            )
            if value is not None:
                results["compile"][scale] = value
        for scale in [s for s in ready if s in ELIGIBILITY_SCALES]:
            value = steps.run(
                f"eligibility {scale}×",
                lambda s=scale: run_inproc(
                    cfg, s, "eligibility", "--reps", str(min(cfg.reps, SLOW_REPS)), var_dir=var_dir
                ),
            )
            if value is not None:
                results["eligibility"][scale] = value
                if value.get("status") == "pending":
                    break
        for scale in ready:
            value = steps.run(
                f"reminders {scale}×",
                lambda s=scale: run_inproc(
                    cfg, s, "reminders", "--reps", str(min(cfg.reps, SLOW_REPS)), var_dir=var_dir
                ),
            )
            if value is not None:
                results["reminders"][scale] = value
        if ready:  # DEBUG off: pages render links to the collected, hashed static files
            steps.run("collectstatic", lambda: load.collect_static(cfg, ready[0], var_dir, log))
        for scale in [s for s in ready if s in QUERY_SCALES] or ready[:1]:
            value = steps.run(
                f"query counts {scale}×", lambda s=scale: run_inproc(cfg, s, "queries", var_dir=var_dir)
            )
            if value is not None:
                results["queries"][scale] = value
        load_scale = cfg.effective_load_scale()
        if cfg.load and load_scale in results["fixtures"]:
            results["load"] = steps.run(
                f"pages under load {load_scale}×",
                lambda: load.measure_pages(
                    cfg, load_scale, results["fixtures"][load_scale], var_dir=var_dir, log=log
                ),
            )
        memory_scale = max(ready, default=None)
        if cfg.celery and memory_scale is not None:
            results["memory"] = steps.run(
                f"Celery worker memory {memory_scale}×",
                lambda: memory.measure_worker(
                    cfg, memory_scale, results["fixtures"][memory_scale], var_dir=var_dir, log=log
                ),
            )
        rows = report.all_rows(results)
        if cfg.profile:
            steps.run(
                "profiles of the missed targets", lambda: _profile_misses(cfg, rows, results, var_dir, log)
            )
    finally:
        shutil.rmtree(var_dir, ignore_errors=True)
    with open("/proc/loadavg", encoding="utf-8") as loadavg:
        results["machine"]["load average at end"] = " ".join(loadavg.read().split()[:3])
    results["minutes"] = (time.monotonic() - clock) / 60
    rows = report.all_rows(results)
    return results, rows, report.render(results, rows)


def main(argv: list[str] | None = None) -> int:
    cfg = parse_args(argv)
    try:
        results, rows, text = run_bench(cfg)
    except BenchError as error:
        print(f"make bench: {error}", file=sys.stderr)
        return 2
    print()
    print(report.main_table(rows))
    if cfg.write_results:
        cfg.results_dir.mkdir(parents=True, exist_ok=True)
        target = cfg.results_dir / f"{results['date']}.md"
        target.write_text(text, encoding="utf-8")
        raw = cfg.results_dir / f"{results['date']}.json.tmp"  # ignored by git: for comparing runs
        raw.write_text(json.dumps(results, indent=1, default=str), encoding="utf-8")
        print(f"\nWritten to {target}")
        if cfg.scales == DEFAULT_SCALES and _update_docs(results, rows):
            print(f"Latest table updated in {DOCS_PAGE}")
    return 1 if results["failures"] else 0


def _update_docs(results: dict, rows: list[report.Row]) -> bool:
    """Put the table of a full run between the markers of docs/performance.md."""
    if not DOCS_PAGE.exists():
        return False
    text = DOCS_PAGE.read_text(encoding="utf-8")
    start, end = text.find(DOCS_START), text.find(DOCS_END)
    if start < 0 or end < start:
        return False
    table = f"From `bench/results/{results['date']}.md`:\n\n{report.main_table(rows)}\n"
    DOCS_PAGE.write_text(text[: start + len(DOCS_START)] + "\n" + table + text[end:], encoding="utf-8")
    return True


if __name__ == "__main__":
    sys.exit(main())
