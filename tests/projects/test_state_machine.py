"""The declared activity state machine itself (projects.cycle; rules.md §2.2-2.3, policy.md §4)."""
import inspect
from collections import deque

import pytest
from django_fsm import TransitionNotAllowed

from methodologies.models import RuleSet
from pacm.parties.roles import Role
from projects import guards, services
from projects.cycle import (
    ACTIVITY_BY_NAME,
    ACTIVITY_TERMINAL,
    ACTIVITY_TIMED,
    ACTIVITY_TRANSITIONS,
    ActivityState,
    transitions_from,
)
from projects.models import Activity

A = ActivityState


def _reachable(start):
    seen, queue = {start}, deque([start])
    while queue:
        state = queue.popleft()
        for t in transitions_from(ACTIVITY_TRANSITIONS, state):
            if t.target not in seen:
                seen.add(t.target)
                queue.append(t.target)
    return seen


def test_every_state_is_reachable_from_draft():
    assert _reachable(A.DRAFT) == set(A.values)


def test_registered_is_reachable_without_a_side_exit():
    """The main path (policy.md §4) gets to registered without withdrawing, rejecting or deregistering."""
    side = {"withdraw", "reject", "deregister"}
    seen, queue = {A.DRAFT}, deque([A.DRAFT])
    while queue:
        state = queue.popleft()
        for t in transitions_from(ACTIVITY_TRANSITIONS, state):
            if t.name not in side and t.target not in seen:
                seen.add(t.target)
                queue.append(t.target)
    assert A.REGISTERED in seen


@pytest.mark.parametrize("state", sorted(set(A.values) - ACTIVITY_TERMINAL))
def test_every_non_terminal_state_has_a_way_out(state):
    assert transitions_from(ACTIVITY_TRANSITIONS, state)


@pytest.mark.parametrize("state", sorted(ACTIVITY_TERMINAL))
def test_terminal_states_have_no_way_out(state):
    assert transitions_from(ACTIVITY_TRANSITIONS, state) == []


def test_every_transition_name_is_unique_and_has_targets_in_the_enum():
    names = [t.name for t in ACTIVITY_TRANSITIONS]
    assert len(names) == len(set(names))
    for t in ACTIVITY_TRANSITIONS:
        assert t.target in A.values
        assert t.source and all(s in A.values for s in t.source)
        assert t.actors, f"{t.name} names nobody who may fire it (deny by default)"


@pytest.mark.parametrize("name", sorted(ACTIVITY_BY_NAME))
def test_every_transition_has_its_service_function(name):
    """HackSoft style: `activity_<name>`, keyword-only arguments (docs/developing.md)."""
    service = getattr(services, f"activity_{name}", None)
    assert callable(service), f"projects.services.activity_{name} is missing"
    params = inspect.signature(service).parameters.values()
    assert all(p.kind == inspect.Parameter.KEYWORD_ONLY for p in params)
    assert "activity" in inspect.signature(service).parameters


def test_timer_transitions_are_fired_by_the_timer_only_and_are_all_scheduled():
    timer_only = {t.name for t in ACTIVITY_TRANSITIONS if Role.TIMER in t.actors}
    assert all(ACTIVITY_BY_NAME[n].actors == {Role.TIMER} for n in timer_only)
    # Every timer transition is fired by the timer pass, from the state it leaves.
    assert set(ACTIVITY_TIMED.values()) == timer_only
    for state, name in ACTIVITY_TIMED.items():
        assert state in ACTIVITY_BY_NAME[name].source


@pytest.mark.parametrize("state", sorted(ACTIVITY_TIMED))
def test_every_way_into_a_timed_state_starts_its_timer(state):
    """A timed state entered without a due date would wait for ever (policy.md §3)."""
    entering = [t for t in ACTIVITY_TRANSITIONS if t.target == state]
    assert entering
    assert all(t.timer for t in entering), [t.name for t in entering if not t.timer]


def test_every_timer_and_guard_is_defined():
    for t in ACTIVITY_TRANSITIONS:
        if t.timer:
            assert f"{t.timer}_days" in {f.name for f in RuleSet._meta.get_fields()}, t.timer
        for g in t.guards:
            assert callable(getattr(guards, g, None)), f"guard {g} of {t.name} is not defined"


def test_decisions_that_end_the_activity_need_reasons():
    for t in ACTIVITY_TRANSITIONS:
        if t.target in ACTIVITY_TERMINAL:
            assert t.needs_reason, t.name


def test_django_fsm_binding_matches_the_declarations():
    field = Activity._meta.get_field("state")
    bound = {(t.name, t.source, t.target) for t in field.get_all_transitions(Activity)}
    declared = {(t.name, s, t.target) for t in ACTIVITY_TRANSITIONS for s in t.source}
    assert bound == declared


def test_state_field_is_protected(activity):
    activity = Activity.objects.get(pk=activity.pk)
    with pytest.raises(AttributeError):
        activity.state = A.REGISTERED
    assert Activity.objects.get(pk=activity.pk).state == A.DRAFT


def test_fsm_method_refuses_a_transition_from_the_wrong_state(activity):
    """Even the bound method cannot skip the cycle (the services are the only callers)."""
    activity = Activity.objects.get(pk=activity.pk)
    with pytest.raises(TransitionNotAllowed):
        activity.register()
    assert Activity.objects.get(pk=activity.pk).state == A.DRAFT
