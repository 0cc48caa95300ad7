"""Monitoring reports and verification (rules.md §2.3 S13-S15; RMP 50-51)."""
import datetime

import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from projects import services
from projects.cycle import PeriodState as P
from projects.models import MonitoringPeriod
from tests import factories as f

from .conftest import period_dates


def test_participant_submits_a_period_with_claims_and_report(world, registered, submit):
    period = submit(registered, claims=None)
    assert period.state == P.SUBMITTED and period.number == 1
    assert [(c.vintage, c.claimed, c.verified) for c in period.claims.all()] == [
        (period.start.year, 30_000, None)
    ]
    assert period.documents.get().latest.original_name == "monitoring.pdf"
    event = Event.objects.filter(stream=registered.stream).order_by("-sequence").first()
    assert event.kind == "monitoring.submitted" and event.actor == world.ama
    assert event.payload["claims"] == {str(period.start.year): 30_000}


@pytest.mark.parametrize(
    "shift_start, shift_end, message",
    [
        (-40, 0, "inside the crediting period"),
        (1, 0, "must start on"),
    ],
)
def test_first_period_must_start_at_crediting_start(world, registered, shift_start, shift_end, message):
    start, end = period_dates(registered)
    start += datetime.timedelta(days=shift_start)
    with pytest.raises(ServiceError, match=message):
        services.period_submit(activity=registered, user=world.ama, start=start, end=end,
                               claims={end.year: 10}, report=f.pdf())
    assert not MonitoringPeriod.objects.exists()


def test_overlap_and_gap_with_earlier_period_are_refused(world, registered, submit):
    first = submit(registered)
    overlap_start = first.end - datetime.timedelta(days=10)
    with pytest.raises(ServiceError, match="overlaps monitoring period 1"):
        services.period_submit(activity=registered, user=world.ama, start=overlap_start,
                               end=overlap_start + datetime.timedelta(days=100),
                               claims={overlap_start.year: 10}, report=f.pdf())
    gap_start = first.end + datetime.timedelta(days=5)
    with pytest.raises(ServiceError, match="no gap"):
        services.period_submit(activity=registered, user=world.ama, start=gap_start,
                               end=gap_start + datetime.timedelta(days=100),
                               claims={gap_start.year: 10}, report=f.pdf())
    assert MonitoringPeriod.objects.count() == 1
    second = submit(registered, number=2, claims={first.end.year + 1: 5})
    assert second.number == 2


def test_claims_must_be_whole_tonnes_in_period_years(world, registered):
    start, end = period_dates(registered)
    for claims, message in (({start.year - 1: 5}, "outside"), ({start.year: -1}, "negative"),
                            ({start.year: 0}, "claims nothing"), ({"x": 1}, "whole numbers"), ({}, "at least one")):
        with pytest.raises(ServiceError, match=message):
            services.period_submit(activity=registered, user=world.ama, start=start, end=end,
                                   claims=claims, report=f.pdf())
    assert not MonitoringPeriod.objects.exists()


def test_only_participants_of_a_registered_activity_submit(world, activity, registered, submit):
    with pytest.raises(Refused):
        submit(registered, user=world.kofi)
    with pytest.raises(Refused):
        submit(registered, user=world.dora)
    assert not MonitoringPeriod.objects.exists()


def test_verification_doe_certifies_within_the_claim(world, registered, submit, drive):
    period = drive(submit(registered), P.UNDER_VERIFICATION)
    f_ = f.pdf("ver.pdf")
    services.document_upload(activity=registered, user=world.dora, kind="verification_report", uploaded=f_, period=period)
    year = period.start.year
    with pytest.raises(ServiceError, match="exceeds"):
        services.period_certify(period=period, user=world.dora, verified={year: 30_001})
    period.refresh_from_db()
    assert period.state == P.UNDER_VERIFICATION
    assert period.claims.get().verified is None
    with pytest.raises(Refused):
        services.period_certify(period=period, user=world.otto, verified={year: 29_000})
    period = services.period_certify(period=period, user=world.dora, verified={year: 29_000})
    assert period.state == P.VERIFIED and period.claims.get().verified == 29_000
    event = Event.objects.filter(stream=registered.stream).order_by("-sequence").first()
    assert (event.kind, event.from_state, event.to_state, event.actor) == (
        "monitoring.transitioned", P.UNDER_VERIFICATION, P.VERIFIED, world.dora)
    assert event.payload["verified"] == {str(year): 29_000}


def test_open_verification_finding_blocks_certification(world, registered, submit, drive):
    period = drive(submit(registered), P.UNDER_VERIFICATION)
    services.document_upload(activity=registered, user=world.dora, kind="verification_report",
                             uploaded=f.pdf(), period=period)
    finding = services.finding_raise(activity=registered, user=world.dora, kind="car", text="Meter calibration",
                                     period=period)
    with pytest.raises(ServiceError, match="still open"):
        services.period_certify(period=period, user=world.dora, verified={period.start.year: 10})
    services.finding_answer(finding=finding, user=world.ama, response="Certificate attached")
    services.finding_close(finding=finding, user=world.dora)
    period = services.period_certify(period=period, user=world.dora, verified={period.start.year: 10})
    assert period.state == P.VERIFIED
