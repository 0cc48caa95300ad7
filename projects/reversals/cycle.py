"""An observed event, step by step (A6.4-STAN-METH-002 v01.0 paras 43-51, 56-58), declared once.

The participants notify the event (para 43); the Supervisory Body instructs the registry to
suspend the activity's units (para 44); a preliminary assessment report, verified by the DOE,
within 90 days of the event's end (paras 45-46): the SB's approval lifts the suspension;
otherwise a verified monitoring report within 365 days (para 47); the SB determines the magnitude
and whether the reversal is avoidable (para 48, 56); the registry administrator cancels that many
buffer units of the same type (para 57); for an avoidable one the participants replenish the
pool (para 58); the SB lifts the suspension. Day counts are rule-set data
(`RuleSet.observed_event_notice_days`, `preliminary_assessment_days`, `reversal_report_days`,
`buffer_replenishment_days`, `deadline_reminder_days`).
"""
from django.db import models
from django.utils.translation import gettext_lazy as _

from pacm.engine.declarations import A as Act
from pacm.engine.declarations import T
from pacm.parties.roles import Role

AP, DOE, SEC, SB, TIMER = Role.PARTICIPANT, Role.DOE, Role.SECRETARIAT, Role.SB, Role.TIMER


class EventState(models.TextChoices):
    NOTIFIED = "notified", _("Notified: waiting for the SB's instruction")
    ASSESSMENT = "assessment", _("Units suspended: preliminary assessment")
    PRELIMINARY_SUBMITTED = "preliminary_submitted", _("Preliminary assessment report submitted")
    PRELIMINARY_VERIFIED = "preliminary_verified", _("Preliminary assessment report verified")
    FULL_REPORT = "full_report", _("Monitoring report of the event due")
    FULL_REPORT_OVERDUE = "full_report_overdue", _("Monitoring report of the event overdue")
    FULL_SUBMITTED = "full_submitted", _("Monitoring report submitted")
    FULL_VERIFIED = "full_verified", _("Monitoring report verified")
    REMEDIATION = "remediation", _("Reversal determined: remediation from the buffer pool")
    REMEDIATED = "remediated", _("Remediated from the buffer pool")
    NO_REVERSAL = "no_reversal", _("No reversal: suspension lifted")
    CLOSED = "closed", _("Closed: suspension lifted")


E = EventState
# Para 47: the monitoring report may come late; it is still taken (the suspension holds meanwhile).
FULL_DUE = (E.FULL_REPORT, E.FULL_REPORT_OVERDUE)
# The end of an ongoing event is recorded once it has ended or been fully contained (para 45).
OPEN_ASSESSMENT = (E.NOTIFIED, E.ASSESSMENT)

EVENT_TRANSITIONS = (
    # Para 44: on receipt of the notification the SB instructs the registry administrator to suspend.
    T("suspend_units", E.NOTIFIED, E.ASSESSMENT, {SB}, _("Instruct the registry to suspend the units"),
      needs_reason=True),
    # Paras 45-46: the preliminary assessment report, after the event has ended.
    T("submit_preliminary", E.ASSESSMENT, E.PRELIMINARY_SUBMITTED, {AP}, _("Submit the preliminary assessment report"),
      guards=("event_ended", "preliminary_on_file"), inputs=("report",), input_guards=("preliminary_on_file",)),
    # Para 47: the preliminary assessment concludes that the event resulted in a reversal.
    T("conclude_reversal", E.ASSESSMENT, E.FULL_REPORT, {AP}, _("Conclude that a reversal occurred"),
      guards=("event_ended",), needs_reason=True),
    # Paras 46-47: 90 days after the event's end with no report: the monitoring report is due.
    T("preliminary_lapse", (E.ASSESSMENT, E.PRELIMINARY_SUBMITTED), E.FULL_REPORT, {TIMER},
      _("Preliminary assessment window closed")),
    T("verify_preliminary", E.PRELIMINARY_SUBMITTED, E.PRELIMINARY_VERIFIED, {DOE},
      _("Verify the preliminary assessment report"), needs_reason=True),
    # Para 46: the SB approves: the suspended operations resume.
    T("approve_preliminary", E.PRELIMINARY_VERIFIED, E.NO_REVERSAL, {SB},
      _("Approve the preliminary assessment (no reversal) and lift the suspension"), needs_reason=True),
    # Para 47: not approved: a monitoring report is due.
    T("reject_preliminary", E.PRELIMINARY_VERIFIED, E.FULL_REPORT, {SB}, _("Do not approve: a monitoring report is due"),
      needs_reason=True, style="danger"),
    T("full_report_lapse", E.FULL_REPORT, E.FULL_REPORT_OVERDUE, {TIMER}, _("Monitoring report deadline passed")),
    T("submit_full_report", FULL_DUE, E.FULL_SUBMITTED, {AP}, _("Submit the monitoring report of the event"),
      guards=("full_report_on_file",), inputs=("report",), input_guards=("full_report_on_file",)),
    T("verify_full_report", E.FULL_SUBMITTED, E.FULL_VERIFIED, {DOE}, _("Verify the monitoring report"),
      needs_reason=True),
    # Paras 48, 56: the SB determines the magnitude, the type and whether it is avoidable.
    T("determine_reversal", E.FULL_VERIFIED, E.REMEDIATION, {SB}, _("Determine the reversal"),
      guards=("determination_given",), inputs=("determination",), input_guards=("determination_given",),
      needs_reason=True),
    # Para 57: the registry administrator cancels buffer units equal to the reversal.
    T("cancel_from_buffer", E.REMEDIATION, E.REMEDIATED, {SEC}, _("Cancel buffer units for remediation of reversals")),
    # Para 44 (and 46 by analogy): only the SB lifts the suspension.
    T("lift_suspension", E.REMEDIATED, E.CLOSED, {SB}, _("Lift the suspension"), needs_reason=True),
)


def _waiting_end():
    from django.db.models import Q

    return Q(occurred_to__isnull=True)


def _waiting_replenishment():
    from django.db.models import F, Q

    return Q(avoidable=True) & (
        Q(replenished_authorized__lt=F("cancelled_authorized")) | Q(replenished_contribution__lt=F("cancelled_contribution"))
    )


def _waiting_shortfall():
    from django.db.models import F, Q

    return Q(cancelled_authorized__lt=F("authorized_quantity")) | Q(cancelled_contribution__lt=F("contribution_quantity"))


EVENT_ACTIONS = (
    # Para 45: an ongoing event: its end (or full containment) is recorded; the deadlines count from it.
    Act("record_event_end", OPEN_ASSESSMENT, {AP}, _("Record the end of the event"), guards=("event_ongoing",),
        pending=True, waiting=_waiting_end),
    # Para 58: participants forward the same amount and type back to the pool.
    Act("replenish_buffer", (E.REMEDIATED, E.CLOSED), {AP}, _("Replenish the buffer pool"),
        guards=("replenishment_owed",), pending=True, waiting=_waiting_replenishment),
    # Para 57 with a pool that could not cover: the administrator cancels more once it can.
    Act("cover_shortfall", (E.REMEDIATED, E.CLOSED), {SEC}, _("Cancel buffer units against the shortfall"),
        guards=("shortfall_open",), pending=True, waiting=_waiting_shortfall),
)

EVENT_TERMINAL = frozenset({E.NO_REVERSAL, E.CLOSED})
EVENT_TIMED = {E.ASSESSMENT: "preliminary_lapse", E.PRELIMINARY_SUBMITTED: "preliminary_lapse",
               E.FULL_REPORT: "full_report_lapse"}
EVENT_BY_NAME = {t.name: t for t in EVENT_TRANSITIONS}
