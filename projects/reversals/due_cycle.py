"""Due dates of monitoring reports of removals (A6.4-STAN-METH-002 v01.0 paras 21-25).

The first report is due within the methodology's maximum interval from the start of the first
crediting period (para 21(a), `MethodologyVersion.first_report_max_years`), each next one within
its interval from the last submission (para 21(b), `report_interval_max_years`). The participants
may ask the SB to extend a due date with a justification; the SB grants or refuses (para 24). A
due date that passes with no report suspends the activity's units (para 25); the report, once
submitted, meets it and the SB lifts that suspension.
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import T
from pacm.parties.roles import Role

AP, SB, TIMER = Role.PARTICIPANT, Role.SB, Role.TIMER


class DueState(models.TextChoices):
    OPEN = "open", _("Due")
    EXTENSION_REQUESTED = "extension_requested", _("Extension requested")
    MISSED = "missed", _("Missed: units suspended")
    MET = "met", _("Report submitted")
    LATE = "late", _("Report submitted late: units still suspended")
    LIFTED = "lifted", _("Report submitted late: suspension lifted")
    # A6.4-STAN-METH-002 v01.0 para 28 (projects.removals): post-crediting monitoring ended.
    ENDED = "ended", _("Not due: the SB allowed post-crediting monitoring to end")


D = DueState

DUE_TRANSITIONS = (
    T("request_extension", D.OPEN, D.EXTENSION_REQUESTED, {AP}, _("Ask the SB to extend the due date"),
      guards=("extension_date_given",), inputs=("extension",), input_guards=("extension_date_given",),
      needs_reason=True),
    T("grant_extension", D.EXTENSION_REQUESTED, D.OPEN, {SB}, _("Grant the extension"), needs_reason=True),
    T("refuse_extension", D.EXTENSION_REQUESTED, D.OPEN, {SB}, _("Refuse the extension"), needs_reason=True,
      style="danger"),
    # Para 25: the due date passed with no report: the units are suspended.
    T("miss_due_date", (D.OPEN, D.EXTENSION_REQUESTED), D.MISSED, {TIMER}, _("Due date passed: suspend the units")),
    # Internal: the monitoring report's submission meets the due date (projects.services).
    T("meet_due_date", (D.OPEN, D.EXTENSION_REQUESTED), D.MET, {AP}, _("Monitoring report submitted"), internal=True,
      pending=False),
    T("meet_late", D.MISSED, D.LATE, {AP}, _("Monitoring report submitted late"), internal=True, pending=False),
    # Para 25 leaves the consequences to the SB: it lifts the suspension once the report is in.
    T("lift_due_suspension", D.LATE, D.LIFTED, {SB}, _("Lift the suspension"), needs_reason=True),
    # Para 28: the SB's grant of termination ends the due date with it (projects.removals; internal).
    T("end_with_termination", (D.OPEN, D.EXTENSION_REQUESTED), D.ENDED, {SB}, _("End with post-crediting monitoring"),
      internal=True, pending=False),
)
DUE_TERMINAL = frozenset({D.MET, D.LIFTED, D.ENDED})
DUE_TIMED = {D.OPEN: "miss_due_date", D.EXTENSION_REQUESTED: "miss_due_date"}
DUE_BY_NAME = {t.name: t for t in DUE_TRANSITIONS}
