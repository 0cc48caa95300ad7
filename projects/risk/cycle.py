"""The revision of an activity's reversal risk assessment, declared once (A6.4-STAN-METH-002 v01.0).

Para 41: the participants review and revise the risk assessment every five years from the start of
the first crediting period (`RuleSet.risk_revision_years`) and, para 49, after a reversal's full
monitoring report (the Supervisory Body asks for it here). A scheduled revision opens by itself
`risk_revision_notice_days` before it is due, which tells the participants; they submit the revised
rating with its assessment document; the DOE validates it (para 40) or returns it with reasons.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import T
from pacm.parties.roles import Role

AP, DOE, SB, TIMER = Role.PARTICIPANT, Role.DOE, Role.SB, Role.TIMER


class RiskState(models.TextChoices):
    SCHEDULED = "scheduled", _("Scheduled")
    DUE = "due", _("Revision due")
    SUBMITTED = "submitted", _("Submitted to the DOE")
    VALIDATED = "validated", _("Validated by the DOE")


R = RiskState

RISK_TRANSITIONS = (
    # Para 41: the timer opens the five-yearly revision (and tells the participants).
    T("open_revision", R.SCHEDULED, R.DUE, {TIMER}, _("Open the revision of the risk assessment")),
    # Para 49 (and para 17(a)-(b)): after a reversal the SB asks for the revision at once.
    T("require_revision", R.SCHEDULED, R.DUE, {SB}, _("Ask for a revised risk assessment"), needs_reason=True),
    # Paras 38, 41: the participants submit the revised rating with its assessment document.
    T("submit_revision", R.DUE, R.SUBMITTED, {AP}, _("Submit the revised risk rating"),
      guards=("revision_rating_given",), inputs=("rating",), input_guards=("revision_rating_given",)),
    # Para 40: the DOE validates it, or returns it with its reasons.
    T("validate_revision", R.SUBMITTED, R.VALIDATED, {DOE}, _("Validate the revised risk rating")),
    T("return_revision", R.SUBMITTED, R.DUE, {DOE}, _("Return the revised risk rating"), needs_reason=True,
      style="warning", pending=False),
)
RISK_TIMED = {R.SCHEDULED: "open_revision"}
RISK_TERMINAL = frozenset({R.VALIDATED})
