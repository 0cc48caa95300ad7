"""The printed table of one run, read back from its JSON results (bench/results/<backend>.json)."""
from .stats import table

HEADER = ["what", "count", "wall s", "per s", "p50 ms", "p95 ms", "p99 ms", "max ms", "queries p50 (min-max)"]


def _queries(s):
    if s.get("queries_p50") is None:
        return "-"
    return f"{s['queries_p50']:g} ({s['queries_min']}-{s['queries_max']})"


def _row(label, s):
    return [label, s.get("count"), s.get("wall_s"), s.get("per_s"), s.get("p50_ms"), s.get("p95_ms"),
            s.get("p99_ms"), s.get("max_ms"), _queries(s)]


def report_text(result):
    m, w = result["machine"], result["world"]
    lines = [
        f"pacm bench: {result['backend']} ({result['backend_label']}), scale {result['scale']}",
        f"machine: {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB; Python {m['python']}; "
        f"{m['database']}; {m.get('redis') or 'no Redis'}; load average {m['load_start']} -> {m['load_end']}",
        f"world snapshot (bulk inserts, not measured): {w['activities']:,} registered activities, "
        f"{w['periods']:,} issuing periods, {w['holding_accounts']:,} holding accounts, "
        f"{w['units_requested']:,} units requested, built in {w['seconds']} s",
        "",
    ]
    rows = []
    iss = result["issuances"] or {}
    if iss:
        rows.append(_row("issuances (issuance_run task)", iss["all"]))
        for name, s in iss["by_size"].items():
            rows.append(_row(f"  size {name} units", s))
        if "queued_to_issued" in iss:
            rows.append(_row("  queued -> issued, per task", iss["queued_to_issued"]))
    tr = result["transfers"] or {}
    if tr:
        rows.append(_row(f"transfers (units_transfer, {tr['callers']} caller{'s' if tr['callers'] > 1 else ''})",
                         tr["all"]))
        for name, s in tr.get("by_ranges", {}).items():
            rows.append(_row(f"  moving {name}", s))
    plan = result.get("business_plan")
    if plan:
        for kind, s in plan["requests"].items():
            rows.append(_row(f"plan {plan['year']}: {kind} (whole request; {s['planned_per_year']}/year planned)", s))
    cy = result.get("cycle")
    if cy:
        for name, s in cy["steps"].items():
            rows.append(_row(f"cycle: {name}", s))
    lines.append(table(rows, HEADER))
    c = result["checks"]
    lines += [
        "",
        f"checks: units conserved {'YES' if c['units_conserved'] else 'NO'} ({c['units_in_blocks']:,} in "
        f"{c['blocks']:,} blocks = {c['units_issued']:,} issued = {c['serials_handed_out']:,} serials); "
        f"overlapping serial ranges {c['overlapping_ranges']}; ranges beyond their counter "
        f"{c['ranges_beyond_counter']}; event chains "
        + (f"{c['event_chain_problems']} problems in {c['event_streams']:,} streams / {c['events']:,} events"
           if "event_streams" in c else "not checked"),
    ]
    for name, s in iss.get("other_tasks", {}).items():
        lines.append(f"worker also ran {s['count']:,} x {name} (p50 {s['p50_ms']} ms, p95 {s['p95_ms']} ms); "
                     f"queue empty {iss['queue_drained_after_s']} s after the last issuance")
    if iss.get("task_failures"):
        lines.append(f"issuance task failures: {iss['task_failures']} (then re-dispatched by the sweeper: "
                     f"{iss['sweeps']}); e.g. {iss['failure_examples'][:2]}")
    if plan:
        lines.append(f"business plan {plan['year']} at scale {plan['scale']:g}: {plan['wall_s']} s of wall time; "
                     "not modelled: " + "; ".join(f"{r['output']} ({r['per_year']}/year)" for r in plan["not_modelled"]))
    if tr.get("errors"):
        lines.append(f"transfer errors: {tr['errors']}")
    lines.append("phases (wall s): " + ", ".join(f"{k} {v}" for k, v in result["phases"].items()))
    return "\n".join(lines)


FLOOR_HEADER = ["write", "accounts hold", "pairs", "pacm p50 ms", "floor p50 ms", "pacm p95 ms", "floor p95 ms",
                "statements pacm / floor", "ratio (median of pairs)", "ratio p25-p75"]


def floor_text(result):
    """The table of the floor phase (bench/against_floor.py), read back from bench/results/floor.json."""
    m = result["machine"]
    rows = []
    for write in ("issuance", "transfer"):
        for size, s in result[write].items():
            rows.append([write, size, s["pairs"], s["pacm_p50_ms"], s["floor_p50_ms"], s["pacm_p95_ms"],
                         s["floor_p95_ms"], f"{s['pacm_statements']:g} / {s['floor_statements']:g}",
                         f"{s['ratio_median']:.2f}x", f"{s['ratio_p25']:.2f}-{s['ratio_p75']:.2f}"])
    return "\n".join([
        "pacm against the bare-SQL floor (bench/floor.py), alternating in one run, PostgreSQL",
        f"machine: {m['cpu']}, {m['cores']} cores; {m.get('database')}; load average {m['load_start']} -> "
        f"{m.get('load_end')}",
        "",
        table(rows, FLOOR_HEADER),
        "",
        f"issuance_floor_ratio {result['issuance_floor_ratio']:.2f}x, transfer_floor_ratio "
        f"{result['transfer_floor_ratio']:.2f}x (the larger of the two account sizes)",
    ])
