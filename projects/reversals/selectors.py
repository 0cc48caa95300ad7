"""Reads of observed events, suspensions and due dates for the pages (bounded, no N+1)."""
from pacm.registry.models import LedgerTransaction, Suspension, TransactionKind

from .models import ObservedEvent, ReportDue

PAGE = 50


def event_remediation(event):
    """The ledger rows of this event's remediation (para 57) and replenishment (para 58)."""
    reference = f"{event.activity.reference} observed event {event.number}"
    return list(
        LedgerTransaction.objects.filter(
            kind__in=(TransactionKind.REVERSAL_REMEDIATION, TransactionKind.BUFFER_REPLENISHMENT),
            purpose__endswith=reference,
        ).select_related("from_account", "to_account").order_by("pk")[:PAGE]
    )


def activity_observed_events(activity):
    return list(ObservedEvent.objects.filter(activity=activity).order_by("-number")[:PAGE])


def activity_suspensions(activity):
    """Every suspension of the activity's units, open ones first (paras 25, 44)."""
    return list(Suspension.objects.filter(activity=activity).order_by("lifted_at", "-started_at")[:PAGE])


def activity_report_dues(activity):
    return list(ReportDue.objects.filter(activity=activity).order_by("-number")[:PAGE])


def open_suspensions_for(activity_ids):
    """{activity id: its oldest open suspension} for the activities whose units a page shows."""
    rows = (Suspension.objects.filter(activity_id__in=set(activity_ids), lifted_at__isnull=True)
            .select_related("activity").order_by("started_at", "pk"))
    found = {}
    for row in rows:
        found.setdefault(row.activity_id, row)
    return found


def dashboard_queue(user):
    """Observed events and due dates waiting for this user (the machines' declarations, waiting_q)."""
    from pacm.engine.offers import waiting_q

    from .machine import DUE, EVENT

    events = (ObservedEvent.objects.select_related("activity", "activity__host_party")
              .filter(waiting_q(user, EVENT)).order_by("due_at", "pk"))
    dues = (ReportDue.objects.select_related("activity", "activity__host_party")
            .filter(waiting_q(user, DUE)).order_by("due_at", "pk"))
    return events, dues
