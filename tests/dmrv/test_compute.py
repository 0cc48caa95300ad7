"""The claims per vintage computed from readings (projects.dmrv.compute; docs/rules-coverage.md
"dMRV readings (issue 9)"): the claimed parameters' readings within the period's dates, summed per
calendar year (UTC), each sum rounded down to whole units."""
import datetime
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from projects.dmrv.compute import claims_from_readings, floor_total

UTC = datetime.UTC
START, END = datetime.date(2023, 1, 1), datetime.date(2026, 12, 31)


def at(y, m, d, h=12):
    return datetime.datetime(y, m, d, h, tzinfo=UTC)


def test_sums_per_calendar_year_rounded_down_only_claimed_parameters_within_the_dates():
    readings = [
        ("ER_y", Decimal("10.7"), at(2024, 3, 1)), ("ER_y", Decimal("0.6"), at(2024, 12, 31, 23)),
        ("ER_y", Decimal("5.99"), at(2025, 1, 1, 0)), ("EG_y", Decimal("1000"), at(2025, 2, 1)),
        ("ER_y", Decimal("7"), at(2022, 12, 31)),  # before the period: not counted
    ]
    assert claims_from_readings(readings, claimed={"ER_y"}, start=START, end=END) == {2024: 11, 2025: 5}


def test_the_vintage_is_the_utc_year_of_the_measurement():
    tokyo = datetime.timezone(datetime.timedelta(hours=9))
    # 1 January 2025 08:00 in Tokyo is 31 December 2024 23:00 UTC.
    reading = ("ER_y", Decimal("3"), datetime.datetime(2025, 1, 1, 8, tzinfo=tokyo))
    assert claims_from_readings([reading], claimed={"ER_y"}, start=START, end=END) == {2024: 3}


def test_negative_net_removals_round_down_too():
    readings = [("ER_y", Decimal("-2.5"), at(2024, 6, 1))]
    assert claims_from_readings(readings, claimed={"ER_y"}, start=START, end=END) == {2024: -3}


FIRST = datetime.datetime(2022, 6, 1, tzinfo=UTC)
reading = st.tuples(
    st.sampled_from(["ER_y", "EG_y"]),
    # A decimal with six places (what a Reading keeps), from -1,000 to 100,000.
    st.integers(min_value=-10**9, max_value=10**11).map(lambda n: Decimal(n).scaleb(-6)),
    # A moment from mid-2022 to mid-2027, to the second.
    st.integers(min_value=0, max_value=5 * 366 * 86400).map(lambda s: FIRST + datetime.timedelta(seconds=s)),
)


@given(st.lists(reading, max_size=40))
def test_the_claims_together_never_exceed_the_floor_of_the_total(readings):
    claims = claims_from_readings(readings, claimed={"ER_y"}, start=START, end=END)
    assert sum(claims.values()) <= floor_total(readings, claimed={"ER_y"}, start=START, end=END)
    assert all(isinstance(v, int) for v in claims.values())
    assert set(claims) <= {2023, 2024, 2025, 2026}
