"""The buffer pool's stress test as a machine of the engine (A6.4-STAN-METH-002 v01.0 paras 60-61).

The latest test is current until the rule set's interval runs out: then a timer makes it due,
which tells the secretariat (and the SB), and its "run the stress test" waits for them. Running
the next test supersedes it. `projects.machines` registers the machine; `projects/services/
stress_test.py` holds the services.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import A as Act
from pacm.engine.declarations import T
from pacm.parties.roles import Role

SEC, SB, TIMER = Role.SECRETARIAT, Role.SB, Role.TIMER


class StressTestState(models.TextChoices):
    CURRENT = "current", _("Current")
    DUE = "due", _("The next stress test is due")
    SUPERSEDED = "superseded", _("Superseded by a later test")


S = StressTestState


def _waiting_due():
    from django.db.models import Q

    return Q(state=S.DUE)


STRESS_TEST_TRANSITIONS = (
    # Para 61: at least every three years (RuleSet.stress_test_interval_days).
    T("fall_due", S.CURRENT, S.DUE, {TIMER}, _("The next stress test falls due")),
    # Taken by the next run's service (no button of its own).
    T("supersede", (S.CURRENT, S.DUE), S.SUPERSEDED, {SEC, SB, TIMER}, _("Superseded by a later test"),
      internal=True, pending=False),
)
STRESS_TEST_ACTIONS = (
    # Para 60: the SB oversees it; the secretariat (or an SB member) runs it.
    Act("run_stress_test", (S.CURRENT, S.DUE), {SEC, SB}, _("Run the stress test again"), pending=True,
        waiting=_waiting_due),
)
STRESS_TEST_TERMINAL = frozenset({S.SUPERSEDED})
STRESS_TEST_TIMED = {S.CURRENT: "fall_due"}
