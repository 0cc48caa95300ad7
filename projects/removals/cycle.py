"""Two small machines of the removals standard, declared once (A6.4-STAN-METH-002 v01.0).

- The termination of post-crediting monitoring (para 28): the participants ask, on ground (a) a
  negligible risk of reversal or (b) future reversals remediated under section 4.6.3; the SB
  grants or refuses. Granted, no monitoring report is due or taken any more.
- The buffer pool's stress test (paras 60-61): the latest test is current until the rule set's
  interval runs out (`RuleSet.stress_test_interval_days`, at least every three years); a timer
  then makes it due, which tells the secretariat and the SB; the next run supersedes it.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import A as Act
from pacm.engine.declarations import T
from pacm.parties.roles import Role

SEC, SB, TIMER = Role.SECRETARIAT, Role.SB, Role.TIMER


class TerminationState(models.TextChoices):
    REQUESTED = "requested", _("Requested: waiting for the SB")
    GRANTED = "granted", _("Granted: post-crediting monitoring ended")
    REFUSED = "refused", _("Refused: monitoring continues")


TS = TerminationState
TERMINATION_TRANSITIONS = (
    # Para 28: the SB allows (or does not allow) post-crediting monitoring to end.
    T("grant_termination", TS.REQUESTED, TS.GRANTED, {SB}, _("Allow post-crediting monitoring to end"),
      guards=("no_period_open", "no_observed_event_open"), needs_reason=True),
    T("refuse_termination", TS.REQUESTED, TS.REFUSED, {SB}, _("Refuse: monitoring continues"), needs_reason=True,
      style="danger"),
)
TERMINATION_TERMINAL = frozenset({TS.GRANTED, TS.REFUSED})


class StressTestState(models.TextChoices):
    CURRENT = "current", _("Current")
    DUE = "due", _("The next stress test is due")
    SUPERSEDED = "superseded", _("Superseded by a later test")


S = StressTestState


def _waiting_due():
    from django.db.models import Q

    return Q(state=S.DUE)


STRESS_TEST_TRANSITIONS = (
    # Para 61: at least every three years (the test's due_at, from RuleSet.stress_test_interval_days).
    T("fall_due", S.CURRENT, S.DUE, {TIMER}, _("The next stress test falls due")),
    # Para 61: "and in an event of a significant loss event": every remediation from the pool
    # (reading removals-8), fired by the cancellation's own service (no button).
    T("loss_event", S.CURRENT, S.DUE, {SEC}, _("A loss event: the next stress test is due now"), internal=True,
      pending=False),
    # Taken by the next run's service (no button of its own).
    T("supersede", (S.CURRENT, S.DUE), S.SUPERSEDED, {SEC, SB}, _("Superseded by a later test"),
      internal=True, pending=False),
)
STRESS_TEST_ACTIONS = (
    # Para 60: the SB oversees the test; the secretariat (or an SB member) runs it.
    Act("run_stress_test", (S.CURRENT, S.DUE), {SEC, SB}, _("Run the stress test again"), pending=True,
        waiting=_waiting_due),
)
STRESS_TEST_TERMINAL = frozenset({S.SUPERSEDED})
STRESS_TEST_TIMED = {S.CURRENT: "fall_due"}
