"""The finalisation of a provisional CDM issuance request, run as a request (A6.4-PROC-AC-001 v06.0 para 55,
"section 5 ... mutatis mutandis", footnote 18; docs/rules-coverage.md finalisation-1 to finalisation-5).

Personas: ama (participant) requests and submits the period, sam (secretariat) checks and records the SB's
decision, dina (Ghana's DNA, the host) requests review, kofi (not on the activity) and nils (another DNA) may not."""
import datetime

import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions
from pacm.events.models import Event
from projects.models import MonitoringPeriod
from projects.transition import finalisation as fin
from projects.transition import services as ts
from projects.transition.cycle import TransitionState as S
from projects.transition.models import ProvisionalIssuance
from tests import factories as f

from .helpers import create, drive, fresh

pytestmark = pytest.mark.django_db
P = ProvisionalIssuance.Status
DAY = datetime.timedelta(days=1)


def _requested(world, clock, **kw):
    request = create(world, clock)
    data = dict(cdm_request_reference="10077-MR7", period_start=datetime.date(2021, 1, 1),
                period_end=datetime.date(2021, 5, 31), quantity=38_000)  # the CDM period ends 31 May 2021
    data.update(kw)
    row = ts.transition_request_record_provisional(request=request, user=world.ama, **data)
    request = drive(world, clock, request, S.TRANSITIONED)
    ts.transition_request_provisional_finalisation(request=request, user=world.ama, provisional=row,
                                                   double_issuance_declared=True,
                                                   revised_monitoring_report="GWPs of 2021 applied.")
    return fresh(request), ProvisionalIssuance.objects.get(pk=row.pk)


def _steps(stream):
    rows = Event.objects.filter(stream=stream, kind="transition.finalisation").order_by("sequence")
    return [r.payload["step"] for r in rows]


def _report():
    return f.pdf("revised-mr.pdf", content=f.pdf_bytes("Revised monitoring report 2021"))


def test_returned_corrected_reviewed_approved_then_a_monitoring_period_after_14_days(world, time_machine):
    request, row = _requested(world, time_machine)
    # Paras 15, 37: the secretariat returns it; only the secretariat checks.
    with pytest.raises(Refused):
        fin.provisional_pass_checks(request=request, user=world.ama, provisional=row)
    fin.provisional_return(request=request, user=world.sam, provisional=row, comment="The GWPs are not applied.")
    assert ProvisionalIssuance.objects.get(pk=row.pk).status == P.RETURNED
    ts.transition_request_provisional_finalisation(request=request, user=world.ama, provisional=row,
                                                   double_issuance_declared=True,
                                                   revised_monitoring_report="AR5 GWPs applied from 2021.")
    # Para 40: published with the 28-day review window (RuleSet.transition_review_days).
    now = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    time_machine.move_to(now, tick=False)
    row = fin.provisional_pass_checks(request=request, user=world.sam, provisional=row)
    assert row.status == P.REVIEW_WINDOW and row.review_due_at == now + 28 * DAY
    # The host's DNA requests review within the window; another Party's DNA may not.
    with pytest.raises(Refused):
        fin.provisional_request_review(request=request, user=world.nils, provisional=row, comment="Check.")
    fin.provisional_request_review(request=request, user=world.dina, provisional=row, comment="fNRB unclear.")
    # Para 46: the SB's decision, recorded by the secretariat; footnote 18: 14 days for appeal.
    decided = now + 10 * DAY
    time_machine.move_to(decided, tick=False)
    with pytest.raises(ServiceError) as error:
        fin.provisional_decide(request=request, user=world.sam, provisional=row, decision="maybe", meeting="SBM020",
                               agenda_item="3.1", comment="x")
    assert error.value.code == "board_decides"
    row = fin.provisional_decide(request=request, user=world.sam, provisional=row, decision="approve",
                                 meeting="SBM020", agenda_item="3.1", comment="The fNRB is the default value.")
    assert row.status == P.APPROVED and row.appeal_ends_at == decided + 14 * DAY
    assert row.decision == "SBM020 item 3.1"
    # Within the appeal window nothing is submitted.
    time_machine.move_to(decided + 13 * DAY, tick=False)
    assert "submit_finalised_period" not in available_actions(world.ama, fresh(request)).names
    with pytest.raises(Refused):
        fin.provisional_submit_period(request=request, user=world.ama, provisional=row, report=_report())
    time_machine.move_to(decided + 14 * DAY, tick=False)
    with pytest.raises(Refused):  # only the participants
        fin.provisional_submit_period(request=request, user=world.kofi, provisional=row, report=_report())
    row = fin.provisional_submit_period(request=request, user=world.ama, provisional=row, report=_report())
    period = MonitoringPeriod.objects.get(activity=request.activity)
    assert row.status == P.FINALISED and row.monitoring_period == period
    assert (period.start, period.end, period.state) == (datetime.date(2021, 1, 1), datetime.date(2021, 5, 31),
                                                         "submitted")
    assert list(period.claims.values_list("vintage", "claimed")) == [(2021, 38_000)]
    assert _steps(request.stream) == ["returned", "published", "review_requested", "decided", "finalised"]
    finalised = Event.objects.filter(stream=request.stream, kind="transition.finalisation").order_by("-sequence")[0]
    assert finalised.payload["double_issuance_declared"] is True and finalised.payload["monitoring_period"] == 1
    submitted = Event.objects.filter(stream=request.activity.stream, kind="monitoring.submitted").get()
    assert "para 55(a)(ii)" in submitted.comment


def test_deemed_approved_when_no_review_then_14_days_for_appeal(world, time_machine):
    # Para 44: no review requested in the window: deemed approved when it closes; the appeal follows.
    request, row = _requested(world, time_machine)
    now = datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC)
    time_machine.move_to(now, tick=False)
    row = fin.provisional_pass_checks(request=request, user=world.sam, provisional=row)
    assert fin.appeal_ends(row) == now + (28 + 14) * DAY
    time_machine.move_to(now + 28 * DAY, tick=False)
    with pytest.raises(Refused):  # the window is closed
        fin.provisional_request_review(request=request, user=world.dina, provisional=row, comment="Late.")
    time_machine.move_to(now + 41 * DAY, tick=False)
    assert "submit_finalised_period" not in available_actions(world.ama, fresh(request)).names
    time_machine.move_to(now + 42 * DAY, tick=False)
    assert "submit_finalised_period" in available_actions(world.ama, fresh(request)).names
    assert fin.provisional_submit_period(request=request, user=world.ama, provisional=row,
                                         report=_report()).status == P.FINALISED


def test_a_rejected_finalisation_gives_no_period(world, time_machine):
    request, row = _requested(world, time_machine)
    time_machine.move_to(datetime.datetime(2026, 3, 2, 9, tzinfo=datetime.UTC), tick=False)
    row = fin.provisional_pass_checks(request=request, user=world.sam, provisional=row)
    fin.provisional_request_review(request=request, user=world.sofia, provisional=row, comment="Double counting?")
    row = fin.provisional_decide(request=request, user=world.sam, provisional=row, decision="reject",
                                 meeting="SBM020", agenda_item="3.2", comment="Credited under another scheme.")
    assert row.status == P.REJECTED and fin.appeal_ends(row) is None
    with pytest.raises(Refused):
        fin.provisional_submit_period(request=request, user=world.ama, provisional=row, report=_report())
    assert not MonitoringPeriod.objects.filter(activity=request.activity).exists()


def test_the_quantity_is_split_by_vintage_by_days():
    # finalisation-3: whole units per calendar year, by days; the remainder to the last year.
    assert fin.vintage_split(datetime.date(2021, 7, 1), datetime.date(2022, 6, 30), 36_500) == {2021: 18_400,
                                                                                               2022: 18_100}
    assert fin.vintage_split(datetime.date(2021, 1, 1), datetime.date(2021, 12, 31), 38_000) == {2021: 38_000}


def test_the_secretariat_page_offers_the_check(world, time_machine, client):
    request, row = _requested(world, time_machine)
    client.force_login(world.sam)
    page = client.get(f"/transitions/{request.pk}/").content.decode()
    assert "Pass the finalisation checks and publish" in page and "Return the finalisation request" in page
    response = client.post(f"/transitions/{request.pk}/do/pass_finalisation_checks/", {"t-item": row.pk})
    assert response.status_code == 302
    assert ProvisionalIssuance.objects.get(pk=row.pk).status == P.REVIEW_WINDOW
