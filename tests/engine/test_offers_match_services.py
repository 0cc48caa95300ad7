"""For every machine, every state and every persona: the writes `available_actions` offers are
exactly those the write skeleton accepts (actor through the subject's ties, and the state).

The skeleton is probed with a `prepare` that stops it right after its actor and state checks, so
no guard or input is needed; guards are what the offers report as `blocked`, not a reason to hide
a write. Writes on sub-objects (a finding, a fee) are offered per item: an offered item implies
the write is accepted.
"""
import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from pacm.common.errors import Refused
from pacm.engine.offers import available_actions, offered_writes
from pacm.engine.run import write_run
from projects.machines import ACTIVITY, PERIOD
from projects.models import Activity, MonitoringPeriod
from projects.reversals.machine import DUE, EVENT

from ..issuance.conftest import period_over, registered, submit  # noqa: F401  (fixtures)


class _Accepted(Exception):
    pass


def _stop(obj, actor):
    raise _Accepted


def accepted(machine, subject, name, user):
    """Whether the skeleton lets `user` take `name` on `subject` (rolled back either way)."""
    try:
        with transaction.atomic():
            write_run(machine=machine, pk=subject.pk, name=name, user=user or AnonymousUser(), comment="reasons",
                      prepare=_stop)
    except _Accepted:
        return True
    except Refused as error:
        assert error.code in {"not_permitted", "wrong_state"}, (name, error.code, error.message)
        return False
    raise AssertionError(f"{name}: the probe was not reached")


def check_machine(machine, subject, world, states):
    checked = 0
    for state in states:
        machine.model.objects.filter(pk=subject.pk).update(state=state)
        for persona, user in [("anonymous", None), *world.people.items()]:
            fresh = machine.model.objects.get(pk=subject.pk)
            offers = available_actions(user or AnonymousUser(), fresh)
            offered = offers.names
            for spec in machine.writes.values():
                if spec.name in machine.timed_names or spec.internal:
                    continue  # fired by the timer, or only inside another write (never offered)
                ok = accepted(machine, fresh, spec.name, user)
                if spec in offered_writes(machine, state) and getattr(spec, "items", None) is None:
                    assert (spec.name in offered) == ok, (machine.name, state, persona, spec.name, ok)
                elif spec.name in offered:
                    assert ok, (machine.name, state, persona, spec.name)
                else:
                    assert not ok or getattr(spec, "items", None) is not None, (machine.name, state, persona, spec.name)
                checked += 1
    return checked


def test_activity_offers_are_what_the_services_accept(world, registered):  # noqa: F811
    activity = Activity.objects.get(pk=registered.pk)
    Activity.objects.filter(pk=activity.pk).update(verification_doe=world.orgs["doe"])
    checked = check_machine(ACTIVITY, activity, world, ACTIVITY.states.values)
    internal = sum(1 for w in ACTIVITY.writes.values() if w.internal)
    assert checked == len(ACTIVITY.states.values) * 9 * (len(ACTIVITY.writes) - len(ACTIVITY.timed_names) - internal)


def test_period_offers_are_what_the_services_accept(world, registered, submit):  # noqa: F811
    period = MonitoringPeriod.objects.get(pk=submit(registered).pk)
    checked = check_machine(PERIOD, period, world, PERIOD.states.values)
    assert checked > 0


def _removals_event(world, activity):
    import datetime

    from django.utils import timezone

    from projects.reversals.services import observed_event_notify

    methodology = activity.methodology_version.methodology
    methodology.kind = "removals"
    methodology.save()
    Activity.objects.filter(pk=activity.pk).update(verification_doe=world.orgs["doe"], risk_rating="low")
    today = timezone.localdate()
    return observed_event_notify(activity=Activity.objects.get(pk=activity.pk), user=world.ama, description="Fire",
                                 location="Plot 1", occurred_from=today - datetime.timedelta(days=1), aware_on=today)


def test_observed_event_offers_are_what_the_services_accept(world, registered):  # noqa: F811
    """A6.4-STAN-METH-002 v01.0 paras 43-58: the observed event's machine, every state and persona."""
    event = _removals_event(world, registered)
    assert check_machine(EVENT, event, world, EVENT.states.values) > 0


def test_report_due_offers_are_what_the_services_accept(world, registered):  # noqa: F811
    """Paras 21-25: the due date's machine, every state and persona."""
    import datetime

    from pacm.parties.roles import Actor
    from projects.reversals.services import report_due_open

    due = report_due_open(activity=registered, due_on=datetime.date(2030, 1, 1), basis="para 21(a)",
                          actor=Actor.timer("test"))
    assert check_machine(DUE, due, world, DUE.states.values) > 0


def test_every_write_of_every_machine_has_its_service():
    for machine in (ACTIVITY, PERIOD, EVENT, DUE):
        missing = {
            name for name, spec in machine.writes.items() if spec.is_transition and name not in machine.services
        }
        assert missing == set(), (machine.name, missing)


@pytest.mark.parametrize("machine", [ACTIVITY, PERIOD, EVENT, DUE], ids=lambda m: m.name)
def test_timed_states_fire_declared_timer_transitions(machine):
    for state, name in machine.timed.items():
        spec = machine.write(name)
        assert spec.is_transition and state in spec.source and spec.actors == {"timer"}


def test_risk_revision_offers_are_what_the_services_accept(world, registered):  # noqa: F811
    """pacm issue 10: the revision machine of the reversal risk assessment (projects.risk)."""
    from projects.risk.machine import RISK
    from projects.risk.services import revision_schedule

    assessment = revision_schedule(activity=Activity.objects.get(pk=registered.pk), number=1)
    assert check_machine(RISK, assessment, world, RISK.states.values) > 0
    assert {name for name, spec in RISK.writes.items() if spec.is_transition and name not in RISK.services} == set()
    for state, name in RISK.timed.items():
        spec = RISK.write(name)
        assert spec.is_transition and state in spec.source and spec.actors == {"timer"}
