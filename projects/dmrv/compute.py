"""The claims per vintage computed from a period's readings: a pure function (pacm issue 9).

Reading "dMRV readings (issue 9)" of docs/rules-coverage.md: the readings of the methodology
version's claimed parameters (MonitoredParameter.claimed, in t CO2e) measured within the period's
dates are summed per vintage, the calendar year (UTC) of `measured_at` (6/CMA.4 dec. para 5: the
vintage is the year the reductions occurred), and each sum is rounded down to whole units (units
are integers; rounding down never claims more than was measured). The figures only prefill the
form: the participants still check and submit them (RMP 50).
"""
import datetime
import math
from collections import defaultdict
from decimal import ROUND_FLOOR, Decimal


def claims_from_readings(readings, *, claimed, start, end):
    """{vintage: whole units} from `readings` [(parameter, value Decimal, measured_at datetime)]:
    those of a parameter in `claimed` measured on a day from `start` to `end` (dates, UTC)."""
    sums = defaultdict(Decimal)
    for parameter, value, measured_at in readings:
        if parameter not in claimed:
            continue
        day = measured_at.astimezone(datetime.UTC).date()
        if start <= day <= end:
            sums[day.year] += Decimal(value)
    return {year: int(total.to_integral_value(rounding=ROUND_FLOOR)) for year, total in sorted(sums.items())}


def floor_total(readings, *, claimed, start, end):
    """The floor of the readings' total (what the per-vintage claims never exceed together)."""
    total = sum((Decimal(v) for p, v, at in readings
                 if p in claimed and start <= at.astimezone(datetime.UTC).date() <= end), Decimal(0))
    return math.floor(total)
