"""The risk assessment revision's machine (projects.risk.cycle), registered with the engine."""
from django.urls import reverse
from django.utils.translation import gettext as _

from pacm.engine.declarations import Blocked
from pacm.engine.machines import Machine, machine_register
from pacm.events.models import EventKind
from pacm.events.shapes import shape_register
from pacm.parties.models import Organisation
from pacm.parties.roles import Role, Tie

from ..models import RiskAssessment
from .cycle import RISK_TERMINAL, RISK_TIMED, RISK_TRANSITIONS, RiskState

K = Organisation.Kind

# The participants revise; the DOE engaged for verification validates (para 40 names the DOE); the SB
# asks for a revision after a reversal (para 49).
RISK_TIES = (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "activity__participants"),
    Tie(Role.DOE, K.DOE, "activity__verification_doe"),
    Tie(Role.SB, K.SB),
)


class risk_guards:  # noqa: N801 - a namespace of guards, as a module would be
    @staticmethod
    def revision_rating_given(obj):
        """Paras 38, 39(b), 42: a percentage within the rule set's limits, with its assessment document."""
        from .services import rating_problem

        problem = rating_problem(activity=obj.activity, percent=obj.rating_percent, negligible=obj.negligible)
        if problem:
            code, message, params = problem
            return Blocked(code=code, message=message, params=params)
        if obj.document_version_id is None:
            return Blocked(code="risk_assessment_missing", message=_(
                "Upload the revised reversal risk assessment first (A6.4-STAN-METH-002 paras 38, 41)."))
        return None


def _timer_days(key, on_date):
    from methodologies.models import RuleSet

    return RuleSet.objects.in_force(on_date).timer_days(key)


RISK = Machine(
    name="risk",
    model=RiskAssessment,
    states=RiskState,
    initial=RiskState.SCHEDULED,
    transitions=RISK_TRANSITIONS,
    terminal=RISK_TERMINAL,
    timed=RISK_TIMED,
    owner="activity",
    ties=RISK_TIES,
    guards=risk_guards,
    event_kind=EventKind.RISK_TRANSITIONED,
    subject_kwarg="assessment",
    describe=lambda r: _("%(activity)s risk assessment %(number)s") % {"activity": r.activity.reference, "number": r.number},
    url=lambda r: reverse("activity-detail", kwargs={"reference": r.activity.reference}) + "#risk",
    event_context=lambda r: {"risk_assessment": r.number},
    event_activity=lambda r: r.activity,
    timer_days=_timer_days,
    audience=frozenset({Role.PARTICIPANT}),
)

# The machine's event: its transition, the assessment's number, what the write adds.
shape_register(EventKind.RISK_TRANSITIONED, {"transition", "risk_assessment"},
               {"rating", "negligible", "previous_rating", "document", "next_revision_due", "reason"})


def risk_machine_register():
    machine_register(RISK)
