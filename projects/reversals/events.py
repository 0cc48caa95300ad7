"""Event shapes and writers of observed events and report due dates (one function per type)."""
from pacm.events.models import EventKind
from pacm.events.services import event_record
from pacm.events.shapes import shape_register

K = EventKind
SHAPES = {
    K.OBSERVED_EVENT_NOTIFIED: ({"observed_event", "description", "location", "occurred_from", "occurred_to",
                                 "aware_on", "notice_due_on", "late"}, ()),
    K.OBSERVED_EVENT_TRANSITIONED: (
        {"transition", "observed_event"},
        {"suspension", "due_at", "report", "authorized", "mc", "avoidable", "cancelled", "shortfall",
         "replenish_due_on", "lifted"}),
    K.OBSERVED_EVENT_UPDATED: ({"observed_event", "occurred_to", "due_at"}, ()),
    K.BUFFER_REMEDIATED: ({"observed_event", "cancelled", "shortfall"}, ()),
    K.BUFFER_REPLENISHED: ({"observed_event", "unit_type", "quantity", "transaction", "owed"}, ()),
    K.REPORT_DUE_SET: ({"report_due", "due_on", "basis"}, ()),
    K.REPORT_DUE_TRANSITIONED: ({"transition", "report_due", "due_on"},
                                {"requested_due_on", "previous_due_on", "suspension", "lifted", "monitoring_period"}),
}


def shapes_register():
    for kind, (required, optional) in SHAPES.items():
        shape_register(kind, required, optional)


shapes_register()


def _record(kind, event, actor, payload, comment=""):
    return event_record(stream=event.activity.stream, kind=kind, actor=actor, activity=event.activity,
                        to_state=event.state, comment=comment, payload=payload)


def event_notified(*, event, actor):
    return _record(K.OBSERVED_EVENT_NOTIFIED, event, actor, {
        "observed_event": event.number, "description": event.description, "location": event.location,
        "occurred_from": event.occurred_from.isoformat(),
        "occurred_to": event.occurred_to.isoformat() if event.occurred_to else None,
        "aware_on": event.aware_on.isoformat(), "notice_due_on": event.notice_due_on.isoformat(), "late": event.late,
    })


def event_end_recorded(*, event, actor):
    return _record(K.OBSERVED_EVENT_UPDATED, event, actor, {
        "observed_event": event.number, "occurred_to": event.occurred_to.isoformat(),
        "due_at": event.due_at.isoformat() if event.due_at else None,
    })


def shortfall_covered(*, event, actor, cancelled):
    return _record(K.BUFFER_REMEDIATED, event, actor, {
        "observed_event": event.number, "cancelled": cancelled, "shortfall": event.shortfall,
    })


def buffer_replenished(*, event, actor, unit_type, row):
    return _record(K.BUFFER_REPLENISHED, event, actor, {
        "observed_event": event.number, "unit_type": unit_type, "quantity": row.quantity, "transaction": row.pk,
        "owed": event.replenishment_owed,
    })


def due_set(*, due, actor, basis):
    return _record(K.REPORT_DUE_SET, due, actor, {
        "report_due": due.number, "due_on": due.due_on.isoformat(), "basis": basis,
    })
