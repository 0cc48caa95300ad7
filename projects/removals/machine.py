"""The termination and stress-test machines, registered with the engine (projects.apps)."""
from django.urls import reverse
from django.utils.translation import gettext as _

from pacm.engine.machines import Machine, machine_register
from pacm.events.models import EventKind
from pacm.parties.models import Organisation
from pacm.parties.roles import Role, Tie

from ..reversals.machine import _timer_days
from . import cycle, guards
from .models import MonitoringTermination, StressTest

K = Organisation.Kind


# Para 28: the participants ask, the SB decides.
TERMINATION = Machine(
    name="monitoring_termination",
    model=MonitoringTermination,
    states=cycle.TerminationState,
    initial=cycle.TerminationState.REQUESTED,
    transitions=cycle.TERMINATION_TRANSITIONS,
    terminal=cycle.TERMINATION_TERMINAL,
    owner="activity",
    ties=(Tie(Role.PARTICIPANT, K.PARTICIPANT, "activity__participants"), Tie(Role.SB, K.SB)),
    guards=guards,
    event_kind=EventKind.TERMINATION_TRANSITIONED,
    subject_kwarg="termination",
    describe=lambda t: _("%(activity)s request to end post-crediting monitoring") % {
        "activity": t.activity.reference},
    url=lambda t: reverse("activity-detail", kwargs={"reference": t.activity.reference}) + "#post-crediting",
    event_context=lambda t: {"termination": t.number},
    event_activity=lambda t: t.activity,
    timer_days=_timer_days,
    audience=frozenset({Role.PARTICIPANT}),
)

# Paras 60-61: the secretariat runs the test, the SB oversees it; both are told when it falls due.
STRESS_TEST = Machine(
    name="stress_test",
    model=StressTest,
    states=cycle.StressTestState,
    initial=cycle.StressTestState.CURRENT,
    transitions=cycle.STRESS_TEST_TRANSITIONS,
    actions=cycle.STRESS_TEST_ACTIONS,
    terminal=cycle.STRESS_TEST_TERMINAL,
    timed=cycle.STRESS_TEST_TIMED,
    ties=(Tie(Role.SECRETARIAT, K.SECRETARIAT), Tie(Role.SB, K.SB)),
    guards=guards,
    event_kind=EventKind.STRESS_TEST_TRANSITIONED,
    subject_kwarg="stress_test",
    describe=lambda t: _("Buffer stress test %(number)s") % {"number": t.pk},
    url=lambda t: reverse("stress-test-detail", kwargs={"pk": t.pk}),
    timer_days=_timer_days,
    audience=frozenset({Role.SECRETARIAT, Role.SB}),
)


def machines_register():
    machine_register(TERMINATION)
    machine_register(STRESS_TEST)
