"""One small function per event type of an activity's stream (Saleor's order/events.py style)."""
from django.db import transaction

from pacm.events.models import EventKind
from pacm.events.services import event_record

from .models import Activity


def _documents(activity, period=None):
    """The latest version of each document, by hash: what the decision was taken on."""
    from .models import DocumentVersion

    rows = (
        DocumentVersion.objects.filter(document__activity=activity)
        .order_by("document_id", "-number")
        .values("document_id", "document__kind", "number", "sha256")
    )
    latest = {}
    for row in rows:
        latest.setdefault(row["document_id"], row)
    return [
        {"kind": r["document__kind"], "version": r["number"], "sha256": r["sha256"]} for r in latest.values()
    ]


def _activity(obj):
    return obj if isinstance(obj, Activity) else obj.activity


def state_changed(*, obj, actor, from_state, to_state, transition, comment="", payload=None):
    activity = _activity(obj)
    is_activity = isinstance(obj, Activity)
    data = {"transition": transition, "documents": _documents(activity), **(payload or {})}
    if not is_activity:
        data["monitoring_period"] = obj.number
    return event_record(
        stream=activity.stream,
        kind=EventKind.ACTIVITY_TRANSITIONED if is_activity else EventKind.MONITORING_TRANSITIONED,
        actor=actor,
        activity=activity,
        from_state=from_state,
        to_state=to_state,
        comment=comment,
        payload=data,
    )


def activity_created(*, activity, actor):
    return event_record(
        stream=activity.stream, kind=EventKind.ACTIVITY_CREATED, actor=actor, activity=activity,
        to_state=activity.state, payload={"reference": activity.reference, "title": activity.title},
    )


def activity_updated(*, activity, actor, changed):
    return event_record(
        stream=activity.stream, kind=EventKind.ACTIVITY_UPDATED, actor=actor, activity=activity,
        payload={"changed": sorted(changed)},
    )


def doe_engaged(*, activity, actor, doe, stage):
    return event_record(
        stream=activity.stream, kind=EventKind.DOE_ENGAGED, actor=actor, activity=activity,
        payload={"doe": doe.name, "doe_id": doe.pk, "stage": stage},
    )


def document_uploaded(*, activity, actor, version):
    return event_record(
        stream=activity.stream, kind=EventKind.DOCUMENT_UPLOADED, actor=actor, activity=activity,
        payload={
            "document": version.document.kind,
            "version": version.number,
            "sha256": version.sha256,
            "name": version.original_name,
            "size": version.size,
            "monitoring_period": period.number if (period := version.document.monitoring_period) else None,
        },
    )


def finding_event(*, kind, finding, actor, comment=""):
    return event_record(
        stream=finding.activity.stream, kind=kind, actor=actor, activity=finding.activity, comment=comment,
        payload={
            "finding": finding.number,
            "finding_kind": finding.kind,
            "status": finding.status,
            "monitoring_period": finding.monitoring_period.number if finding.monitoring_period_id else None,
        },
    )


def host_approval_issued(*, approval, actor):
    return event_record(
        stream=approval.activity.stream, kind=EventKind.HOST_APPROVAL_ISSUED, actor=actor,
        activity=approval.activity,
        payload={
            "version": approval.version,
            "renewal_approved": approval.renewal_approved,
            "sop_exemption_opt_out": approval.sop_exemption_opt_out,
            "authorized_participants": sorted(approval.authorized_participants.values_list("name", flat=True)),
        },
    )


def authorization_issued(*, statement, actor):
    return event_record(
        stream=statement.activity.stream, kind=EventKind.AUTHORIZATION_ISSUED, actor=actor,
        activity=statement.activity,
        payload={
            "version": statement.version,
            "uses": statement.uses,
            "first_transfer": statement.first_transfer,
            "quantity_cap": statement.quantity_cap,
            "vintage_from": statement.vintage_from,
            "vintage_to": statement.vintage_to,
            "effective_from": statement.effective_from,
        },
    )


def fee_assessed(*, fee, actor):
    return event_record(
        stream=fee.activity.stream, kind=EventKind.FEE_ASSESSED, actor=actor, activity=fee.activity,
        payload={"fee": fee.kind, "amount_usd": str(fee.amount_usd), "status": fee.status,
                 "basis": fee.basis, "rule_set": fee.rule_set.version},
    )


def fee_paid(*, fee, actor):
    return event_record(
        stream=fee.activity.stream, kind=EventKind.FEE_PAID, actor=actor, activity=fee.activity,
        payload={"fee": fee.kind, "amount_usd": str(fee.amount_usd), "reference": fee.payment_reference},
    )


def notify_on_commit(*, obj, transition):
    """Tell the people who act next, by e-mail, once the change is committed."""
    from . import tasks

    activity_id = _activity(obj).pk
    transaction.on_commit(lambda: tasks.notify_transition.delay(activity_id, transition), robust=True)
