"""The monitoring-period machine: reachable, no dead ends, a service for every transition."""
from projects import services
from projects.cycle import PERIOD_TERMINAL, PERIOD_TIMED, PERIOD_TRANSITIONS, PeriodState


def test_every_period_state_is_reachable_from_submitted():
    seen, frontier = {PeriodState.SUBMITTED}, [PeriodState.SUBMITTED]
    while frontier:
        state = frontier.pop()
        for t in PERIOD_TRANSITIONS:
            if state in t.source and t.target not in seen:
                seen.add(t.target)
                frontier.append(t.target)
    assert seen == set(PeriodState.values)


def test_every_non_terminal_period_state_has_a_way_out():
    for state in set(PeriodState.values) - PERIOD_TERMINAL:
        assert any(state in t.source for t in PERIOD_TRANSITIONS), state
    for state in PERIOD_TERMINAL:
        assert not any(state in t.source for t in PERIOD_TRANSITIONS), state


def test_every_period_transition_has_its_service():
    for t in PERIOD_TRANSITIONS:
        assert callable(getattr(services, f"period_{t.name}", None)), t.name


def test_timed_states_name_timer_transitions():
    by_name = {t.name: t for t in PERIOD_TRANSITIONS}
    for state, name in PERIOD_TIMED.items():
        assert state in by_name[name].source
        assert {str(a) for a in by_name[name].actors} == {"timer"}
