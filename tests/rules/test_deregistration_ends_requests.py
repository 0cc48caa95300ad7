"""Rule 2: an activity that ends takes its pending requests with it (pacm issue 6 §5).

A6.4-PROC-AC-002 v03.0 para 259: the mechanism registry administrator shall not issue A6.4ERs for a
deregistered project from the effective date of deregistration. pacm's deregistration (the SB's
decision) ends every monitoring period still on its way, an approved issuance included, in the
transaction that deregisters the activity, each with its own event; and the issuing task refuses
to issue for a deregistered activity even if a period reaches it.
"""
import datetime
from unittest import mock

import pytest
import time_machine
from django.urls import reverse

from pacm.common.errors import ServiceError
from pacm.events.models import Event, EventKind
from pacm.parties.roles import Actor
from pacm.registry.models import LedgerTransaction, UnitBlock
from projects import services
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import Activity, MonitoringPeriod
from projects.services import closing
from projects.services.issuance import issuance_process, issuances_sweep
from projects.timers import timers_run
from tests.ops.issuing import period_close_with_dispatch_lost

# The Supervisory Body deregisters as a body, on a recorded decision (projects.board).
BOARD = Actor.board("decision 1")


def _state(period):
    return MonitoringPeriod.objects.get(pk=period.pk).state


def _ended_events(activity):
    return list(
        Event.objects.filter(stream=activity.stream, kind=EventKind.MONITORING_TRANSITIONED, to_state=P.ENDED)
        .order_by("sequence")
    )


@pytest.fixture
def three_pending(world, registered, submit, drive):
    """Period 1 approved (appeal window running), period 2 in its review window, period 3 just submitted."""
    first = drive(submit(registered, number=1), P.APPROVED)
    second = drive(submit(registered, number=2, claims={registered.crediting_start.year + 1: 10_000}),
                   P.ISSUANCE_REVIEW_WINDOW)
    third = submit(registered, number=3, claims={registered.crediting_start.year + 2: 5_000})
    return first, second, third


def test_deregistration_ends_every_pending_period_with_its_own_event(world, registered, three_pending):
    """PROC-AC-002 v03.0 para 259: deregistered, nothing of it proceeds; each period's end is an event by the SB."""
    first, second, third = three_pending
    services.activity_deregister(activity=registered, user=BOARD, comment="Double counting found.")
    assert Activity.objects.get(pk=registered.pk).state == A.DEREGISTERED
    assert [_state(p) for p in three_pending] == [P.ENDED, P.ENDED, P.ENDED]
    events = _ended_events(registered)
    assert [(e.payload["monitoring_period"], e.from_state, e.actor_label, e.role) for e in events] == [
        (1, P.APPROVED, "board:decision 1", "board"),
        (2, P.ISSUANCE_REVIEW_WINDOW, "board:decision 1", "board"),
        (3, P.SUBMITTED, "board:decision 1", "board"),
    ]
    assert all("Double counting found." in e.comment for e in events)
    # They follow the deregistration in the activity's stream, and no timer is left running.
    deregistered = Event.objects.get(stream=registered.stream, to_state=A.DEREGISTERED)
    assert all(e.sequence > deregistered.sequence for e in events)
    assert not MonitoringPeriod.objects.filter(activity=registered, due_at__isnull=False).exists()


def test_an_approved_issuance_of_a_deregistered_activity_is_never_issued(
        world, registered, three_pending, django_capture_on_commit_callbacks):
    """PROC-AC-002 v03.0 para 259: the approved period's appeal window passes; no unit is issued."""
    first, _, _ = three_pending
    due = MonitoringPeriod.objects.get(pk=first.pk).due_at
    services.activity_deregister(activity=registered, user=BOARD, comment="Deregistered.")
    with django_capture_on_commit_callbacks(execute=True), \
            time_machine.travel(due + datetime.timedelta(days=30), tick=False):
        assert timers_run() == []
    assert _state(first) == P.ENDED
    assert not UnitBlock.objects.filter(activity=registered).exists()
    assert not LedgerTransaction.objects.exists()


def test_an_issuance_already_sent_to_the_task_ends_and_the_task_issues_nothing(world, registered, submit, drive):
    """PROC-AC-002 v03.0 para 259: even an issuance already issuing ends; the task then does nothing."""
    period = period_close_with_dispatch_lost(drive(submit(registered), P.APPROVED))  # ISSUING, task not sent
    services.activity_deregister(activity=registered, user=BOARD, comment="Deregistered.")
    assert _state(period) == P.ENDED
    assert issuance_process(period_id=period.pk) == "not issuing (ended)"
    assert issuances_sweep(older_than=datetime.timedelta(0)) == []
    assert not UnitBlock.objects.filter(activity=registered).exists()


def test_the_issuing_task_refuses_a_deregistered_activity_it_reaches(world, registered, submit, drive):
    """PROC-AC-002 v03.0 para 259, enforced in the task too: an activity deregistered without its
    periods ending (data from before the rule) gets no units; the task ends the period itself."""
    period = period_close_with_dispatch_lost(drive(submit(registered), P.APPROVED))
    Activity.objects.filter(pk=registered.pk).update(state=A.DEREGISTERED)
    assert issuance_process(period_id=period.pk) == "not issued: activity deregistered"
    assert _state(period) == P.ENDED
    assert not UnitBlock.objects.filter(activity=registered).exists()
    assert not LedgerTransaction.objects.exists()
    (event,) = _ended_events(registered)
    assert (event.from_state, event.actor_label, event.role) == (P.ISSUING, "timer:issuance", "timer")
    assert issuance_process(period_id=period.pk) == "not issuing (ended)"  # a second delivery: nothing


def test_deregistration_and_the_periods_end_in_one_transaction(world, registered, three_pending):
    """Rule 2: if a period cannot be ended, the activity is not deregistered either."""
    before = [_state(p) for p in three_pending]
    events = Event.objects.count()
    with mock.patch.object(closing, "period_end_with_activity", side_effect=ServiceError("boom")):
        with pytest.raises(ServiceError, match="boom"):
            services.activity_deregister(activity=registered, user=BOARD, comment="Deregistered.")
    assert Activity.objects.get(pk=registered.pk).state == A.REGISTERED
    assert [_state(p) for p in three_pending] == before
    assert Event.objects.count() == events


def test_a_period_of_a_registered_activity_cannot_be_ended_on_its_own(world, registered, submit, as_user):
    """Rule 2: ending a period belongs to the activity's end; there is no button or service path for it."""
    period = submit(registered)
    with pytest.raises(ServiceError, match="its periods end only with it"):
        services.period_end_with_activity(period=period, actor=BOARD, comment="No.")
    client = as_user(world.sofia)
    url = reverse("period-transition", kwargs={"reference": registered.reference, "number": period.number,
                                               "name": "end_with_activity"})
    assert client.post(url, {"t-end_with_activity-comment": "No."}).status_code == 404
    assert _state(period) == P.SUBMITTED

