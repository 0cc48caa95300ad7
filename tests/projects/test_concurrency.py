"""Conflicting requests on the same activity at the same moment, on PostgreSQL (row locks).

Two threads, each with its own database connection, start together at a barrier. Exactly one
change is applied; the other is refused with a clear error; the stream gains exactly one event
and its chain stays intact. A short pause while the first holds the row lock makes the two
overlap; the outcome must not depend on it.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacm_h2 .venv/bin/pytest -q tests/projects -m postgres
"""
import datetime
import threading
import time

import pytest
import time_machine
from django.db import connection

from pacm.common.errors import Refused, ServiceError
from pacm.engine import run
from pacm.events.models import Event, EventKind
from pacm.events.services import chain_verify
from projects import services
from projects.board.services import board_decision_record_meeting
from projects.cycle import ActivityState as A
from projects.models import Activity, Fee
from projects.timers import timers_run

from .. import factories as f

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def hold_the_lock(monkeypatch):
    """Keep the row locked a moment after the checks, so that the other request has to wait."""
    original = run.guard_check

    def slow(machine, obj, spec, **kw):
        time.sleep(0.3)
        return original(machine, obj, spec, **kw)

    monkeypatch.setattr(run, "guard_check", slow)


def race(*calls):
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        try:
            barrier.wait()
            results[i] = ("ok", call())
        except Exception as error:  # noqa: BLE001 - reported to the test
            results[i] = ("error", error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def _transitions(activity):
    return Event.objects.filter(stream=activity.stream, kind=EventKind.ACTIVITY_TRANSITIONED).count()


def _one_applied(results, refused=(Refused,)):
    outcomes = sorted(kind for kind, _ in results)
    assert outcomes == ["error", "ok"], results
    (error,) = [value for kind, value in results if kind == "error"]
    assert isinstance(error, refused), repr(error)
    assert error.message
    return error


def test_two_board_decisions_recorded_at_once(world, activity, reach, hold_the_lock):
    """Two secretariat officers record opposite meeting decisions at once (projects.board): one
    is recorded and fires; the other is refused and leaves no decision row behind."""
    from projects.board.models import Decision

    stan = f.user("stan", world.orgs["sec"])
    activity = reach(activity, A.UNDER_SB_REVIEW)
    count = _transitions(activity)
    results = race(
        lambda: f.board_decide(world, activity, "register", "Meets RMP 49."),
        lambda: board_decision_record_meeting(
            subject=activity, transition="reject", user=stan, meeting="SBM019", agenda_item="4.2",
            outcome="adopted", comment="Additionality not shown.",
        ),
    )
    error = _one_applied(results)
    assert "is not possible while" in error.message
    final = Activity.objects.get(pk=activity.pk).state
    assert final in (A.REGISTRATION_APPROVED, A.REJECTED)
    assert _transitions(activity) == count + 1
    assert Decision.objects.count() == 1
    assert Event.objects.filter(stream=activity.stream, kind=EventKind.BOARD_DECIDED).count() == 1
    last = Event.objects.filter(stream=activity.stream).order_by("-sequence").first()
    assert last.to_state == final and last.from_state == A.UNDER_SB_REVIEW
    assert last.actor_label == f"board:{Decision.objects.get().pk}"
    assert chain_verify(activity.stream) == []


def test_the_secretariat_passes_and_returns_at_once(world, activity, reach, hold_the_lock):
    activity = reach(activity, A.INFORMATION_CHECK)
    count = _transitions(activity)
    results = race(
        lambda: services.activity_pass_information_check(activity=activity, user=world.sam),
        lambda: services.activity_return_incomplete(activity=activity, user=world.sam, comment="Annex missing."),
    )
    _one_applied(results)
    assert Activity.objects.get(pk=activity.pk).state in (A.REVIEW_WINDOW, A.REQUEST_INCOMPLETE)
    assert _transitions(activity) == count + 1
    assert chain_verify(activity.stream) == []


def test_the_same_check_started_twice_at_once(world, activity, reach, hold_the_lock):
    activity = reach(activity, A.COMPLETENESS_CHECK)
    count = _transitions(activity)
    results = race(
        lambda: services.activity_pass_completeness_check(activity=activity, user=world.sam),
        lambda: services.activity_pass_completeness_check(activity=activity, user=world.sam),
    )
    _one_applied(results)
    assert Activity.objects.get(pk=activity.pk).state == A.INFORMATION_CHECK
    assert _transitions(activity) == count + 1
    assert chain_verify(activity.stream) == []


def test_the_same_fee_recorded_twice_at_once(world, activity, advance_to, approve_host):
    activity = advance_to(activity, A.VALIDATED)
    approve_host(activity)
    services.activity_request_registration(activity=activity, user=world.dora)
    fee = Fee.objects.get(activity=activity)
    results = race(
        lambda: services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-A"),
        lambda: services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-B"),
    )
    error = _one_applied(results)
    assert "already paid" in error.message
    assert Event.objects.filter(stream=activity.stream, kind=EventKind.FEE_PAID).count() == 1
    assert Fee.objects.get(pk=fee.pk).payment_reference in ("WIRE-A", "WIRE-B")
    assert chain_verify(activity.stream) == []


def test_two_timer_passes_at_once_fire_once(world, activity, advance_to, hold_the_lock):
    activity = advance_to(activity, A.REVIEW_WINDOW)
    count = _transitions(activity)
    with time_machine.travel(activity.due_at + datetime.timedelta(seconds=5), tick=False):
        results = race(timers_run, timers_run)
    assert all(kind == "ok" for kind, _ in results), results
    assert sorted(len(value) for _, value in results) == [0, 1]
    assert Activity.objects.get(pk=activity.pk).state == A.REGISTRATION_APPROVED
    assert _transitions(activity) == count + 1
    assert chain_verify(activity.stream) == []


def test_sb_review_and_the_timer_at_the_close_of_the_window(world, activity, advance_to, hold_the_lock):
    activity = advance_to(activity, A.REVIEW_WINDOW)
    count = _transitions(activity)
    with time_machine.travel(activity.due_at, tick=False):
        results = race(
            lambda: services.activity_request_review(activity=activity, user=world.sofia, comment="Late review."),
            timers_run,
        )
    review_kind, review = results[0]
    assert review_kind == "error" and isinstance(review, ServiceError), results
    assert results[1] == ("ok", [(activity.reference, "register_by_timer")])
    assert Activity.objects.get(pk=activity.pk).state == A.REGISTRATION_APPROVED
    assert _transitions(activity) == count + 1
    assert chain_verify(activity.stream) == []
