"""One small function per event type of an activity's stream (Saleor's order/events.py style)."""
from pacm.events.models import EventKind
from pacm.events.services import event_record


def activity_created(*, activity, actor):
    return event_record(
        stream=activity.stream, kind=EventKind.ACTIVITY_CREATED, actor=actor, activity=activity,
        to_state=activity.state, payload={"reference": activity.reference, "title": activity.title},
    )


def _shown(value):
    """A field value as the event keeps it: a related row by its id and name."""
    if hasattr(value, "pk"):
        return {"id": value.pk, "name": str(value)}
    return value


def activity_updated(*, activity, actor, changed):
    """`changed`: {field: (old, new)}; the event keeps both, so an edit can be read back."""
    return event_record(
        stream=activity.stream, kind=EventKind.ACTIVITY_UPDATED, actor=actor, activity=activity,
        payload={
            "changed": sorted(changed),
            "old": {f: _shown(old) for f, (old, _new) in sorted(changed.items())},
            "new": {f: _shown(new) for f, (_old, new) in sorted(changed.items())},
        },
    )


def doe_engaged(*, activity, actor, doe, stage):
    return event_record(
        stream=activity.stream, kind=EventKind.DOE_ENGAGED, actor=actor, activity=activity,
        payload={"doe": doe.name, "doe_id": doe.pk, "stage": stage},
    )


def doe_changed(*, activity, actor, doe, previous, stage):
    """Issue 11: a change of DOE is its own event, naming the DOE it replaces."""
    return event_record(
        stream=activity.stream, kind=EventKind.DOE_CHANGED, actor=actor, activity=activity,
        payload={"doe": doe.name, "doe_id": doe.pk, "previous": previous.name, "previous_id": previous.pk,
                 "stage": stage},
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
