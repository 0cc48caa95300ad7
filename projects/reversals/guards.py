"""Guards of the observed-event and report-due machines (projects.reversals.cycle, due_cycle)."""
from django.utils.translation import gettext as _

from pacm.engine.declarations import Blocked


def event_ongoing(event):
    if event.occurred_to is not None:
        return Blocked(code="event_end_recorded", message=_("The end of the event is already recorded."))
    return None


def event_ended(event):
    """Para 45: the preliminary assessment is prepared once the event has ended or been contained."""
    if event.occurred_to is None:
        return Blocked(code="event_ongoing",
                       message=_("Record the end of the event first: the preliminary assessment report is prepared "
                                 "once the event has ended or been fully contained (A6.4-STAN-METH-002 para 45)."))
    return None


def preliminary_on_file(event):
    if event.preliminary_id is None:
        return Blocked(code="report_required", message=_("Attach the preliminary assessment report."))
    return None


def full_report_on_file(event):
    if event.full_report_id is None:
        return Blocked(code="report_required", message=_("Attach the monitoring report of the event."))
    return None


def determination_given(event):
    if event.avoidable is None:
        return Blocked(code="determination_required",
                       message=_("Say whether the reversal is avoidable or unavoidable (A6.4-STAN-METH-002 para 48)."))
    return None


def replenishment_owed(event):
    if event.replenishment_owed <= 0:
        return Blocked(code="nothing_owed", message=_("Nothing is owed to the buffer pool for this event."))
    return None


def shortfall_open(event):
    if event.shortfall <= 0:
        return Blocked(code="no_shortfall", message=_("The buffer pool covered this reversal in full."))
    return None


def extension_date_given(due):
    if due.requested_due_on is None or due.requested_due_on <= due.due_on:
        return Blocked(code="extension_date_invalid", message=_("Give a new due date after the current one."))
    return None
