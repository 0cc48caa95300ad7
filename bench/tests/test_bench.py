"""The benchmark's own checks: the snapshot holds only what the services would accept, and the
measured phases run the product's write path end to end. Run: .venv/bin/pytest -q bench/tests
"""
import datetime

import pytest

from bench import checks, cycle, vrod, world
from bench.stats import percentile
from bench.transfers import transfer_loop
from projects.cycle import PeriodState
from projects.models import IssuanceRequest, MonitoringPeriod
from projects.services import issuance_preview


@pytest.fixture
def snapshot(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return world.world_build(activities=12, issuances=40, seed=7)


def test_snapshot_holds_registered_activities_and_issuing_periods(snapshot):
    assert snapshot["activities"] == 12
    assert snapshot["periods"] == MonitoringPeriod.objects.filter(state=PeriodState.ISSUING).count() == 40
    assert sum(snapshot["size_buckets"].values()) == 40


def test_snapshot_requests_are_ones_the_services_accept(snapshot):
    """Each request adds up under the services' own preview (the check `period_request_issuance` runs)."""
    for request in IssuanceRequest.objects.select_related("period"):
        lines = list(request.lines.all())
        split, amounts = issuance_preview(period=request.period, units=request.units_requested,
                                          omge_rate=request.omge_rate, lines=lines)
        assert split.gross == request.units_requested == request.period.verified_total
        assert sum(amounts) == split.net
        assert {line.account.organisation_id for line in lines} <= set(
            request.period.activity.participants.values_list("pk", flat=True))


def test_issuances_and_transfers_keep_the_registry_whole(snapshot):
    from projects.tasks import issuance_run

    ids = list(MonitoringPeriod.objects.values_list("pk", flat=True))
    assert [issuance_run.delay(pk).result for pk in ids] == ["issued"] * len(ids)
    sizes = vrod.retired_volumes(vrod.projects_load())
    moved = transfer_loop(index=0, callers=1, count=25, seed=3, sizes=sizes)
    assert moved["errors"] == {}
    assert len(moved["seconds"]) == 25
    result = checks.checks_run(chains=True)
    assert result["ok"], result
    assert result["units_issued"] == sum(IssuanceRequest.objects.values_list("units_requested", flat=True))
    assert result["issuances_executed"] == 40


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_full_cycle_sample_reaches_issued(settings, tmp_path):
    # Real commits: the issuing task is dispatched on commit, as in production.
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    world.world_build(activities=3, issuances=3, seed=7)
    sample = cycle.cycle_run(activities=1, sizes=[12_345], worker=False)
    assert sample["periods"] == 1
    assert sample["steps"]["timer pass: close_appeal_window + issuance (eager)"]["count"] == 1
    assert MonitoringPeriod.objects.filter(activity__title__startswith="Bench cycle", state=PeriodState.ISSUED).count() == 1


def test_vintages_split_the_volume_exactly_by_days():
    split = world._vintages(datetime.date(2021, 7, 1), datetime.date(2022, 6, 30), 365)
    assert split == [(2021, 184), (2022, 181)]
    assert world._vintages(datetime.date(2021, 12, 31), datetime.date(2022, 12, 30), 1) == [(2022, 1)]


def test_percentile_interpolates():
    assert percentile([4, 1, 3, 2], 50) == 2.5
    assert percentile([5], 95) == 5
    assert percentile([], 50) is None
