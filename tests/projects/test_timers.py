"""Timers with a frozen clock (policy.md §3): a window that closes moves the activity on by itself,
the timer is the recorded actor, and no person can fire a timer's transition."""
import datetime
import io

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from methodologies.models import RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event, EventKind
from pacm.parties.roles import Actor
from projects import services
from projects.cycle import ActivityState as A
from projects.models import Activity
from projects.timers import timers_run

from .. import factories as f
from .support import PERSONAS, last_sequence, new_events, snapshot, stored_documents

T0 = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


def _rules():
    return RuleSet.objects.in_force(T0.date())


def _published_at_t0(world, activity, advance_to):
    activity = advance_to(activity, A.VALIDATION_CONTRACTED)
    services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
    with time_machine.travel(T0, tick=False):
        services.activity_publish_for_consultation(activity=activity, user=world.dora)
    return Activity.objects.get(pk=activity.pk)


def _assert_timer_event(event, name, source, target, activity):
    assert event.kind == EventKind.ACTIVITY_TRANSITIONED
    assert event.actor is None
    assert event.actor_label == f"timer:{name}"
    assert event.role == "timer"
    assert event.organisation is None
    assert (event.from_state, event.to_state) == (source, target)
    assert event.payload["transition"] == name
    assert sorted(event.payload["documents"], key=lambda d: d["kind"]) == stored_documents(activity)


def test_consultation_closes_by_itself_after_gsc_days(world, activity, advance_to, distinct_timers):
    activity = _published_at_t0(world, activity, advance_to)
    due = T0 + datetime.timedelta(days=_rules().gsc_days)
    assert activity.due_at == due

    before = snapshot(activity)
    with time_machine.travel(due - datetime.timedelta(seconds=1), tick=False):
        assert timers_run() == []
    assert snapshot(activity) == before

    since = last_sequence(activity)
    with time_machine.travel(due, tick=False):
        assert timers_run() == [(activity.reference, "close_consultation")]
    after = Activity.objects.get(pk=activity.pk)
    assert after.state == A.UNDER_VALIDATION
    assert after.state_entered_at == due
    assert after.due_at is None
    events = new_events(activity, since)
    assert len(events) == 1
    _assert_timer_event(events[0], "close_consultation", A.CONSULTATION, A.UNDER_VALIDATION, activity)
    assert events[0].created_at == due


def test_a_second_pass_fires_nothing_again(world, activity, advance_to):
    """Timer passes are idempotent: what fired once is not fired twice."""
    activity = _published_at_t0(world, activity, advance_to)
    with time_machine.travel(activity.due_at + datetime.timedelta(days=3), tick=False):
        assert timers_run() == [(activity.reference, "close_consultation")]
        count = Event.objects.count()
        assert timers_run() == []
    assert Event.objects.count() == count


def test_review_window_with_no_review_registers_after_the_window(world, activity, advance_to, distinct_timers):
    activity = advance_to(activity, A.INFORMATION_CHECK)
    with time_machine.travel(T0, tick=False):
        services.activity_pass_information_check(activity=activity, user=world.sam)
    activity = Activity.objects.get(pk=activity.pk)
    due = T0 + datetime.timedelta(days=_rules().registration_review_days)
    assert activity.state == A.REVIEW_WINDOW and activity.due_at == due

    before = snapshot(activity)
    with time_machine.travel(due - datetime.timedelta(seconds=1), tick=False):
        assert timers_run() == []
    assert snapshot(activity) == before

    since = last_sequence(activity)
    with time_machine.travel(due, tick=False):
        assert timers_run() == [(activity.reference, "register_by_timer")]
    # PROC-AC-002 v03.0 paras 88-89: deemed approved, the appeal window opens; with no appeal,
    # the activity is registered when it closes.
    after = Activity.objects.get(pk=activity.pk)
    appeal_due = due + datetime.timedelta(days=_rules().registration_appeal_days)
    assert after.state == A.REGISTRATION_APPROVED and after.due_at == appeal_due
    (event,) = new_events(activity, since)
    _assert_timer_event(event, "register_by_timer", A.REVIEW_WINDOW, A.REGISTRATION_APPROVED, activity)

    since = last_sequence(activity)
    with time_machine.travel(appeal_due - datetime.timedelta(seconds=1), tick=False):
        assert timers_run() == []
    with time_machine.travel(appeal_due, tick=False):
        assert timers_run() == [(activity.reference, "register_after_appeal")]
    after = Activity.objects.get(pk=activity.pk)
    assert after.state == A.REGISTERED and after.due_at is None
    (event,) = new_events(activity, since)
    _assert_timer_event(event, "register_after_appeal", A.REGISTRATION_APPROVED, A.REGISTERED, activity)


def test_sb_review_request_inside_the_window_stops_the_timer(world, activity, advance_to):
    activity = advance_to(activity, A.REVIEW_WINDOW)
    due = activity.due_at
    with time_machine.travel(due - datetime.timedelta(minutes=1), tick=False):
        services.activity_request_review(activity=activity, user=world.sofia, comment="Additionality unclear.")
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.state == A.UNDER_SB_REVIEW and activity.due_at is None
    before = snapshot(activity)
    with time_machine.travel(due + datetime.timedelta(days=30), tick=False):
        assert timers_run() == []
    assert snapshot(activity) == before


def test_review_cannot_be_requested_once_the_window_has_closed(world, activity, advance_to):
    """policy.md §3: the window is the time to ask; after it the timer registers, even if its
    pass has not run yet."""
    activity = advance_to(activity, A.REVIEW_WINDOW)
    before = snapshot(activity)
    with time_machine.travel(activity.due_at, tick=False):
        with pytest.raises(ServiceError, match="review window closed"):
            services.activity_request_review(activity=activity, user=world.sofia, comment="Too late.")
        assert snapshot(activity) == before
        assert timers_run() == [(activity.reference, "register_by_timer")]


def test_run_timers_command_does_one_pass(world, activity, advance_to):
    activity = _published_at_t0(world, activity, advance_to)
    out = io.StringIO()
    with time_machine.travel(activity.due_at - datetime.timedelta(seconds=1), tick=False):
        call_command("run_timers", stdout=out)
    assert Activity.objects.get(pk=activity.pk).state == A.CONSULTATION
    assert "close_consultation" not in out.getvalue()

    out = io.StringIO()
    with time_machine.travel(activity.due_at, tick=False):
        call_command("run_timers", stdout=out)
    assert Activity.objects.get(pk=activity.pk).state == A.UNDER_VALIDATION
    assert f"close_consultation on {activity.reference}" in out.getvalue()


def test_one_pass_fires_every_due_activity_and_only_those(world, new_activity, advance_to):
    early, late = new_activity(), new_activity()
    early = _published_at_t0(world, early, advance_to)
    with time_machine.travel(T0 + datetime.timedelta(days=2), tick=False):
        late = advance_to(late, A.VALIDATION_CONTRACTED)
        services.document_upload(activity=late, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
        services.activity_publish_for_consultation(activity=late, user=world.dora)
    late = Activity.objects.get(pk=late.pk)
    with time_machine.travel(early.due_at + datetime.timedelta(days=1), tick=False):
        assert timers_run() == [(early.reference, "close_consultation")]
    assert Activity.objects.get(pk=late.pk).state == A.CONSULTATION
    with time_machine.travel(late.due_at, tick=False):
        assert timers_run() == [(late.reference, "close_consultation")]


TIMER_SERVICES = [
    (A.CONSULTATION, services.activity_close_consultation, "close_consultation"),
    (A.REVIEW_WINDOW, services.activity_register_by_timer, "register_by_timer"),
]


@pytest.mark.parametrize("state,service,name", TIMER_SERVICES, ids=[n for *_, n in TIMER_SERVICES])
def test_no_person_can_fire_a_timer(world, activity, advance_to, state, service, name):
    activity = advance_to(activity, state)
    before = snapshot(activity)
    with time_machine.travel(activity.due_at + datetime.timedelta(days=1), tick=False):
        for persona in PERSONAS:
            with pytest.raises(Refused):
                service(activity=activity, actor=world.people[persona])
            assert snapshot(activity) == before, persona


@pytest.mark.parametrize("state,service,name", TIMER_SERVICES, ids=[n for *_, n in TIMER_SERVICES])
def test_the_timer_cannot_fire_before_it_is_due(world, activity, advance_to, state, service, name):
    activity = advance_to(activity, state)
    before = snapshot(activity)
    with time_machine.travel(activity.due_at - datetime.timedelta(seconds=1), tick=False):
        with pytest.raises(Refused, match="not due yet"):
            service(activity=activity, actor=Actor.timer(name))
    assert snapshot(activity) == before
    with time_machine.travel(activity.due_at, tick=False):
        service(activity=activity, actor=Actor.timer(name))
    assert Activity.objects.get(pk=activity.pk).state != state


def test_a_timer_cannot_fire_a_persons_transition(world, activity):
    before = snapshot(activity)
    with pytest.raises(Refused):
        services.activity_notify_prior_consideration(activity=activity, user=Actor.timer("close_consultation"))
    assert snapshot(activity) == before


def test_timer_uses_the_rule_set_in_force_when_the_window_opens(world, activity, advance_to):
    """policy.md §1: a new rule-set version changes windows opened from its effective date on."""
    activity = advance_to(activity, A.VALIDATION_CONTRACTED)
    RuleSet.objects.create(version="2026-03", effective_from=datetime.date(2026, 3, 1), gsc_days=35)
    services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
    with time_machine.travel(T0, tick=False):
        services.activity_publish_for_consultation(activity=activity, user=world.dora)
    assert Activity.objects.get(pk=activity.pk).due_at == T0 + datetime.timedelta(days=35)


def test_withdrawn_activity_has_no_running_timer(world, activity, advance_to):
    activity = advance_to(activity, A.CONSULTATION)
    services.activity_withdraw(activity=activity, user=world.ama, comment="Project cancelled.")
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.due_at is None
    with time_machine.travel(timezone.now() + datetime.timedelta(days=400), tick=False):
        assert timers_run() == []
