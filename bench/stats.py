"""Percentiles and the printed table: small helpers shared by every phase."""
import contextlib
import math
import sys
import time

from django.db import connection


def percentile(values, q):
    """The q-th percentile (0-100) by linear interpolation; None for no values."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def summary(seconds, *, wall=None, queries=None):
    """count, rate, p50/p95/p99/max in milliseconds, and the queries per call if counted."""
    result = {
        "count": len(seconds),
        "p50_ms": _ms(percentile(seconds, 50)),
        "p95_ms": _ms(percentile(seconds, 95)),
        "p99_ms": _ms(percentile(seconds, 99)),
        "max_ms": _ms(max(seconds) if seconds else None),
        "mean_ms": _ms(sum(seconds) / len(seconds) if seconds else None),
    }
    if wall is not None:
        result["wall_s"] = round(wall, 2)
        result["per_s"] = round(len(seconds) / wall, 1) if wall else None
    if queries:
        result["queries_min"] = min(queries)
        result["queries_p50"] = percentile(queries, 50)
        result["queries_max"] = max(queries)
    return result


def _ms(value):
    return None if value is None else round(value * 1000, 2)


@contextlib.contextmanager
def queries_counted():
    """Count the SQL statements run inside the block (one call per statement, no logging)."""
    box = [0]

    def count(execute, sql, params, many, context):
        box[0] += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(count):
        yield box


def _fmt(value, digits=1):
    if value is None:
        return "-"
    if isinstance(value, float) and not value.is_integer():
        return f"{value:,.{digits}f}"
    return f"{int(value):,}"


def table(rows, header):
    """Plain-text table; rows are lists of cells already formatted or numbers."""
    cells = [[str(h) for h in header]] + [[c if isinstance(c, str) else _fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = []
    for n, row in enumerate(cells):
        lines.append("  ".join(c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    return "\n".join(lines)


def progress(label, done, total, started):
    """One line on stderr at every tenth of a long loop, so a long run shows it is alive."""
    step = max(1, total // 10)
    if done and done % step == 0:
        elapsed = time.perf_counter() - started
        print(f"[bench {time.strftime('%H:%M:%S')}]   {label}: {done:,}/{total:,} in {elapsed:,.0f} s",
              file=sys.stderr, flush=True)
