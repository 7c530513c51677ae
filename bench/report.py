"""The results as one table of medians, ratios and targets (PASS/MISS), the details, and the machine.

Pure functions of the results dict that bench/run.py collects, so the smoke test can check the
table without timing anything.
"""

from __future__ import annotations

import itertools
import os
import platform
from dataclasses import dataclass

from bench.common import ratio

MIB = 1024
# Targets of issue 9 (docs/design.md section 8 gives the reference figures).
COMPILE_MAX_RATIO = 2.5
GROWTH_SLACK = 1.2  # "10x the data in at most 12x the time": time growth <= 1.2 x data growth
ELIGIBILITY_MAX_S_PER_10000 = 1.0
PAGE_MIN_RATIO = {
    "dashboard": 0.25,
    "ranking": 0.25,
    "scoring": 0.15,
    "pledge_get": 0.15,
    "pledge_post": 0.15,
}
PAGE_MAX_P95_MS = {"dashboard": 100.0, "ranking": 100.0}
PEAK_RSS_MAX_MIB = 250
GROWING_PAGE = 1.5  # a page more than 1.5x heavier at the larger scale lists rows without a bound
PASS, MISS, REPORT, PENDING, FAILED = "PASS", "MISS", "report", "pending", "FAILED"
# The in-process page (bench.measures.main_pages) that profiles each load scenario.
PROFILE_PAGE = {
    "dashboard": "dashboard",
    "ranking": "ranking-list",
    "scoring": "scoring-form",
    "pledge_get": "pledge-edit",
    "pledge_post": "pledge-edit",
}


@dataclass
class Row:
    measurement: str
    scale: str
    measured: str
    baseline: str
    ratio: str
    target: str
    result: str
    key: str = ""  # what to profile when it is a MISS ("compile", "eligibility", "page:<key>")


def _ms(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds * 1000:,.1f} ms"


def _s(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds:,.2f} s"


def _x(value: float | None) -> str:
    return "—" if value is None else f"{value:,.2f}×"


def _pct(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:,.1f} %"


def _mib(kib: int | None) -> str:
    return "—" if kib is None else f"{kib / MIB:,.0f} MiB"


def _verdict(ok: bool | None) -> str:
    if ok is None:
        return PENDING
    return PASS if ok else MISS


def compile_rows(results: dict) -> list[Row]:
    rows = []
    runs = results.get("compile", {})
    for scale in sorted(runs):
        run = runs[scale]
        value = ratio(run["compile_s"], run["floor_s"])
        rows.append(
            Row(
                "Ranking compile, one period (final, full rewrite)",
                f"{scale}×",
                f"{_ms(run['compile_s'])} ({run['queries']} queries, {run['counts']['ranked_units']:,} units)",
                f"raw SQL floor {_ms(run['floor_s'])}",
                _x(value),
                f"≤ {COMPILE_MAX_RATIO}×",
                _verdict(value is not None and value <= COMPILE_MAX_RATIO),
                "compile",
            )
        )
    scales = sorted(runs)
    for small, large in itertools.pairwise(scales):
        time_growth = ratio(runs[large]["compile_s"], runs[small]["compile_s"])
        data_growth = ratio(
            runs[large]["counts"]["criterion_results"], runs[small]["counts"]["criterion_results"]
        )
        limit = data_growth * GROWTH_SLACK if data_growth else None
        rows.append(
            Row(
                "Compile time growth",
                f"{small}× → {large}×",
                f"time {_x(time_growth)} for {_x(data_growth)} the score rows",
                f"{small}×: {_ms(runs[small]['compile_s'])}",
                _x(time_growth),
                f"≤ {_x(limit)} (1.2 × data growth)",
                _verdict(time_growth is not None and limit is not None and time_growth <= limit),
                "compile",
            )
        )
    return rows


def eligibility_rows(results: dict) -> list[Row]:
    runs = results.get("eligibility", {})
    rows = []
    measured = {scale: run for scale, run in runs.items() if run.get("status") == "measured"}
    if runs and not measured:
        reason = next(iter(runs.values())).get("reason", "")
        return [
            Row(
                "Eligibility, every staff member and unit of 2025",
                "1×, 10×",
                reason,
                "—",
                "—",
                "≤ 1 s / 10,000",
                PENDING,
            )
        ]
    for scale in sorted(measured):
        run = measured[scale]
        per = run["per_10000_s"]
        rows.append(
            Row(
                "Eligibility per 10,000 subjects",
                f"{scale}×",
                f"{_s(per)} ({run['subjects']:,} subjects in {_s(run['seconds'])}, {run['queries']} queries)",
                "—",
                "—",
                f"≤ {ELIGIBILITY_MAX_S_PER_10000:g} s",
                _verdict(per is not None and per <= ELIGIBILITY_MAX_S_PER_10000),
                "eligibility",
            )
        )
    if len(measured) >= 2:
        counts = {scale: measured[scale]["queries"] for scale in sorted(measured)}
        rows.append(
            Row(
                "Eligibility query count",
                " vs ".join(f"{scale}×" for scale in counts),
                " vs ".join(str(value) for value in counts.values()),
                "—",
                "—",
                "equal",
                _verdict(len(set(counts.values())) == 1),
            )
        )
    return rows


def reminder_rows(results: dict) -> list[Row]:
    rows = []
    runs = results.get("reminders", {})
    for scale in sorted(runs):
        run = runs[scale]
        sent = run["reminders"]
        floor_per = run["floor_s"] / sent * 1000 if sent and run["floor_s"] else None
        clean = run["failed"] == 0 and run["undelivered"] == 0
        rows.append(
            Row(
                "Reminder run (plan + send) per 1,000",
                f"{scale}×",
                f"{_s(run['per_1000_s'])} ({sent:,} sent; plan {_s(run['plan_s'])}, send {_s(run['send_s'])})",
                f"SMTP floor {_s(floor_per)} / 1,000",
                _x(ratio(run["per_1000_s"], floor_per)),
                "no target; 0 failed",
                REPORT if clean else MISS,
            )
        )
    return rows


def page_rows(results: dict) -> list[Row]:
    load = results.get("load")
    if not load:
        return []
    rows = []
    floor = load["pages"]["floor"]
    for key, page in load["pages"].items():
        clean = page["errors"] == 0 and page["unexpected"] == 0
        if key in ("floor", "static"):
            rows.append(
                Row(
                    f"Load: {page['label']}",
                    f"{load['scale']}×",
                    f"{page['rps']:,.0f} req/s, p50 {page['p50_ms']:.1f} ms, p95 {page['p95_ms']:.1f} ms",
                    "—" if key == "floor" else f"floor {floor['rps']:,.0f} req/s",
                    "1.00×" if key == "floor" else _pct(page["ratio"]),
                    "0 errors, 0 non-2xx",
                    PASS if clean else MISS,
                )
            )
            continue
        minimum = PAGE_MIN_RATIO.get(key)
        p95_max = PAGE_MAX_P95_MS.get(key)
        ok = clean and page["ratio"] is not None and (minimum is None or page["ratio"] >= minimum)
        if p95_max is not None:
            ok = ok and page["p95_ms"] <= p95_max
        target = f"≥ {minimum * 100:.0f} %" + (f", p95 ≤ {p95_max:.0f} ms" if p95_max else "") + ", 0 errors"
        errors = (
            ""
            if clean
            else f", {page['errors']} errors, {page['unexpected']} unexpected {page['unexpected_statuses']}"
        )
        rows.append(
            Row(
                f"Load: {page['label']}",
                f"{load['scale']}×",
                f"{page['rps']:,.0f} req/s, p50 {page['p50_ms']:.1f} ms, p95 {page['p95_ms']:.1f} ms{errors}",
                f"floor {floor['rps']:,.0f} req/s",
                _pct(page["ratio"]),
                target,
                PASS if ok else MISS,
                f"page:{PROFILE_PAGE[key]}",
            )
        )
    return rows


def query_comparison(results: dict) -> tuple[list[int], dict[str, dict[int, dict]]]:
    runs = results.get("queries", {})
    scales = sorted(runs)
    pages: dict[str, dict[int, dict]] = {}
    for scale in scales:
        for key, page in runs[scale]["pages"].items():
            pages.setdefault(key, {})[scale] = page
    return scales, pages


def query_rows(results: dict) -> list[Row]:
    scales, pages = query_comparison(results)
    if not pages:
        return []
    present = {
        key: by_scale
        for key, by_scale in pages.items()
        if all(p.get("status") != "absent" for p in by_scale.values())
    }
    differ = [
        key for key, by_scale in present.items() if len({page["queries"] for page in by_scale.values()}) > 1
    ]
    rendering = [
        key for key, by_scale in present.items() if any(page["in_render"] for page in by_scale.values())
    ]
    failing = [
        key
        for key, by_scale in present.items()
        if any(not 200 <= page["status"] < 400 for page in by_scale.values())
    ]
    label = " vs ".join(f"{scale}×" for scale in scales)
    rows = [
        Row(
            "Query count of every main page",
            label,
            f"{len(present) - len(differ)} of {len(present)} pages equal"
            + (f"; differ: {', '.join(differ)}" if differ else ""),
            "—",
            "—",
            "equal at every scale" if len(scales) > 1 else "one scale only",
            _verdict(not differ) if len(scales) > 1 else REPORT,
        ),
        Row(
            "Queries issued while a template renders",
            label,
            f"{len(rendering)} of {len(present)} pages" + (f": {', '.join(rendering)}" if rendering else ""),
            "—",
            "—",
            "none",
            _verdict(not rendering),
        ),
    ]
    if failing:
        rows.append(Row("Main pages answering an error", label, ", ".join(failing), "—", "—", "none", MISS))
    if len(scales) > 1:
        growing = []
        for key, by_scale in present.items():
            sizes = [by_scale[scale].get("bytes") for scale in scales if scale in by_scale]
            if len(sizes) > 1 and all(sizes) and sizes[-1] > GROWING_PAGE * sizes[0]:
                growing.append(f"{key} {sizes[0] / 1024:,.0f}→{sizes[-1] / 1024:,.0f} KB")
        rows.append(
            Row(
                "Pages whose HTML grows with the data (equal queries, more rows rendered)",
                label,
                f"{len(growing)} of {len(present)}" + (f": {', '.join(growing)}" if growing else ""),
                "—",
                "—",
                "no target: unbounded lists to paginate",
                REPORT,
            )
        )
    return rows


def memory_rows(results: dict) -> list[Row]:
    rows = []
    load = results.get("load")
    if load and load.get("worker_peak_kib"):
        kib = load["worker_peak_kib"]
        rows.append(
            Row(
                "Peak RSS of a gunicorn worker under the page load",
                f"{load['scale']}×",
                _mib(kib),
                "—",
                "—",
                f"≤ {PEAK_RSS_MAX_MIB} MiB",
                _verdict(kib <= PEAK_RSS_MAX_MIB * MIB),
            )
        )
    memory = results.get("memory")
    if memory:
        kib = memory.get("compile_kib")
        rows.append(
            Row(
                "Peak RSS of the Celery worker, ranking compile",
                f"{memory['scale']}×",
                _mib(kib),
                f"idle worker {_mib(memory.get('idle_kib'))}",
                "—",
                f"≤ {PEAK_RSS_MAX_MIB} MiB",
                _verdict(kib is not None and kib <= PEAK_RSS_MAX_MIB * MIB),
            )
        )
        kib = memory.get("eligibility_kib")
        status = memory.get("eligibility_status", "measured")
        rows.append(
            Row(
                "Peak RSS, eligibility run" + ("" if memory.get("eligibility_task") else " (plain process)"),
                f"{memory['scale']}×",
                _mib(kib) if status == "measured" else "evaluate_year does not exist yet",
                f"idle process {_mib(memory.get('eligibility_idle_kib'))}"
                if memory.get("eligibility_idle_kib")
                else "—",
                "—",
                f"≤ {PEAK_RSS_MAX_MIB} MiB",
                PENDING
                if status != "measured"
                else _verdict(kib is not None and kib <= PEAK_RSS_MAX_MIB * MIB),
            )
        )
    return rows


def all_rows(results: dict) -> list[Row]:
    rows = [
        *compile_rows(results),
        *eligibility_rows(results),
        *reminder_rows(results),
        *page_rows(results),
        *query_rows(results),
        *memory_rows(results),
    ]
    rows += [
        Row(f"Step failed: {name}", "—", message.splitlines()[0][:200], "—", "—", "runs", FAILED)
        for name, message in results.get("failures", [])
    ]
    return rows


def markdown_table(header: list[str], rows: list[list[str]]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(cell.replace("|", "\\|") for cell in row) + " |" for row in rows]
    return "\n".join(lines)


def main_table(rows: list[Row]) -> str:
    return markdown_table(
        ["measurement", "scale", "measured (median)", "baseline (same run)", "ratio", "target", "result"],
        [[r.measurement, r.scale, r.measured, r.baseline, r.ratio, r.target, r.result] for r in rows],
    )


def machine_facts(extra: dict) -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as cpuinfo:
            model = next(
                (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")), ""
            )
    except OSError:
        model = platform.processor()
    return {
        "cores": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        **extra,
    }


def data_table(results: dict) -> str:
    rows = []
    for scale, fixtures in sorted(results.get("fixtures", {}).items()):
        counts = fixtures["counts"]
        marker = results.get("prepared", {}).get(scale, {})
        seeded = (marker.get("seeded_at") or "")[:16].replace("T", " ")
        note = "reused" if marker.get("reused") else "seeded in this run"
        if marker.get("demo_changed_since"):
            note += "; demo code changed since (FRESH=1 rebuilds)"
        rows.append(
            [
                f"{scale}×",
                f"{counts['units']:,}",
                f"{counts['staff']:,}",
                f"{counts['clusters']:,}",
                f"{counts['ranked_units']:,}",
                f"{counts['criterion_results']:,}",
                f"{seeded} UTC ({marker.get('seed_seconds', 0):,.0f} s)",
                note,
            ]
        )
    if not rows:
        return ""
    return "### Data\n\n" + markdown_table(
        [
            "scale",
            "units",
            "staff",
            "clusters 2025",
            "units ranked 2025",
            "score rows 2025",
            "seeded",
            "this run",
        ],
        rows,
    )


def details(results: dict) -> str:
    parts = [data_table(results)]
    compile_runs = results.get("compile", {})
    if compile_runs:
        parts.append("\n### Ranking compile\n")
        parts.append(
            markdown_table(
                [
                    "scale",
                    "units ranked",
                    "score rows",
                    "clusters",
                    "floor",
                    "compile",
                    "ratio",
                    "queries",
                    "entries written",
                    "floor = service ranks",
                ],
                [
                    [
                        f"{scale}×",
                        f"{run['counts']['ranked_units']:,}",
                        f"{run['counts']['criterion_results']:,}",
                        f"{run['counts']['clusters']:,}",
                        _ms(run["floor_s"]),
                        _ms(run["compile_s"]),
                        _x(ratio(run["compile_s"], run["floor_s"])),
                        str(run["queries"]),
                        f"{run['entries']:,}",
                        "yes" if run["floor_matches_service"] else "NO",
                    ]
                    for scale, run in sorted(compile_runs.items())
                ],
            )
        )
    load = results.get("load")
    if load:
        parts.append(
            f"\n### Pages under load ({load['scale']}×, {load['rounds']} rounds of {load['seconds']} s, gunicorn 2 sync workers)\n"
        )
        parts.append(
            markdown_table(
                [
                    "page",
                    "path",
                    "connections",
                    "req/s",
                    "of floor",
                    "p50",
                    "p95",
                    "errors",
                    "unexpected status",
                    "requests",
                ],
                [
                    [
                        page["label"],
                        page["path"],
                        str(page["connections"]),
                        f"{page['rps']:,.0f}",
                        _pct(page["ratio"]),
                        f"{page['p50_ms']:.1f} ms",
                        f"{page['p95_ms']:.1f} ms",
                        str(page["errors"]),
                        str(page["unexpected"])
                        + (f" {page['unexpected_statuses']}" if page["unexpected"] else ""),
                        f"{page['requests']:,}"
                        + (f" ({page['saved']:,} saved)" if key == "pledge_post" else ""),
                    ]
                    for key, page in load["pages"].items()
                ],
            )
        )
    scales, pages = query_comparison(results)
    if pages:
        parts.append(
            "\n### Query counts of the main pages (warm cache; `in render`: issued while a template rendered)\n"
        )
        header = [
            "page",
            "persona",
            "status",
            *(f"queries {scale}×" for scale in scales),
            "in render",
            *(f"KB {scale}×" for scale in scales),
        ]
        table = []
        for key, by_scale in pages.items():
            first = next(iter(by_scale.values()))
            if first.get("status") == "absent":
                table.append([key, "—", "absent", *("—" for _ in scales), "—", *("—" for _ in scales)])
                continue
            table.append(
                [
                    key,
                    first["persona"],
                    "/".join(sorted({str(page["status"]) for page in by_scale.values()})),
                    *(str(by_scale[scale]["queries"]) if scale in by_scale else "—" for scale in scales),
                    "/".join(str(by_scale[scale]["in_render"]) for scale in scales if scale in by_scale),
                    *(
                        f"{by_scale[scale].get('bytes', 0) / 1024:,.0f}" if scale in by_scale else "—"
                        for scale in scales
                    ),
                ]
            )
        parts.append(markdown_table(header, table))
        samples = [
            (key, sql)
            for key, by_scale in pages.items()
            for page in by_scale.values()
            for sql in page.get("in_render_sql", [])[:1]
        ]
        if samples:
            seen, lines = set(), []
            for key, sql in samples:
                if key not in seen:
                    seen.add(key)
                    lines.append(f"- {key}: `{sql}`")
            parts.append("\nFirst query issued while rendering, per page:\n\n" + "\n".join(lines))
    reminders = results.get("reminders", {})
    if reminders:
        parts.append("\n### Reminder runs\n")
        parts.append(
            markdown_table(
                [
                    "scale",
                    "day",
                    "logins added",
                    "decided",
                    "sent",
                    "failed",
                    "plan",
                    "send",
                    "per 1,000",
                    "SMTP floor (same count)",
                ],
                [
                    [
                        f"{scale}×",
                        run["day"],
                        f"{run['runs'][0]['added_logins']:,}",
                        f"{run['decided']:,}",
                        f"{run['reminders']:,}",
                        str(run["failed"]),
                        _s(run["plan_s"]),
                        _s(run["send_s"]),
                        _s(run["per_1000_s"]),
                        _s(run["floor_s"]),
                    ]
                    for scale, run in sorted(reminders.items())
                ],
            )
        )
    return "\n".join(parts)


def render(results: dict, rows: list[Row]) -> str:
    facts = results.get("machine", {})
    config = results.get("config", {})
    lines = [
        f"# Benchmark results {results.get('date', '')}",
        "",
        f"`make bench` ({config.get('command', 'bench/run.py')}): started {results.get('started', '')}, "
        f"took {results.get('minutes', 0):.1f} min. Every figure is a median of {config.get('reps')} "
        f"repetitions (pages: {config.get('load_rounds')} rounds of {config.get('load_seconds')} s at "
        f"{config.get('connections')} connections), every ratio against a baseline measured in the same run.",
        "",
        main_table(rows),
        "",
        "## Machine",
        "",
        markdown_table(["fact", "value"], [[key, str(value)] for key, value in facts.items()]),
        "",
        "## Details",
        "",
        details(results),
    ]
    profiles = results.get("profiles", {})
    if profiles:
        lines += ["", "## Profiles of the missed targets (pyinstrument, trimmed)", ""]
        for target, text in profiles.items():
            trimmed = "\n".join(text.strip().splitlines()[:60])
            lines += [f"### {target}", "", "```", trimmed, "```", ""]
    return "\n".join(lines) + "\n"
