"""Event shapes and writers of the removals standard's records (one function per type)."""
from pacm.events.models import EventKind
from pacm.events.services import event_record
from pacm.events.shapes import shape_register

K = EventKind
SHAPES = {
    # A6.4-STAN-METH-002 v01.0 para 30(c)(iv), (d).
    K.DEFICIT_INCURRED: ({"monitoring_period", "quantity", "balance", "vintages"}, ()),
    K.DEFICIT_DEDUCTED: ({"monitoring_period", "quantity", "balance", "units_requested"}, ()),
    # Para 30(e): the storage lost, handed to the observed-event flow.
    K.STORAGE_LOSS_RECORDED: ({"monitoring_period", "quantity", "observed_event", "vintages"}, ()),
    # Para 28.
    K.TERMINATION_REQUESTED: ({"termination", "ground", "evidence"}, ()),
    K.TERMINATION_TRANSITIONED: ({"transition", "termination"}, {"closed_dues"}),
    # Paras 60-61.
    K.STRESS_TEST_RUN: ({"stress_test", "parameters", "ledger_mark", "results", "rule_set", "due_at"}, ()),
    K.STRESS_TEST_TRANSITIONED: ({"transition"}, {"cause"}),
}


def shapes_register():
    for kind, (required, optional) in SHAPES.items():
        shape_register(kind, required, optional)


shapes_register()


def _record(kind, activity, actor, payload, comment=""):
    return event_record(stream=activity.stream, kind=kind, actor=actor, activity=activity, comment=comment,
                        payload=payload)


def deficit_incurred(*, entry, actor, vintages):
    return _record(K.DEFICIT_INCURRED, entry.activity, actor, {
        "monitoring_period": entry.period.number, "quantity": entry.quantity, "balance": entry.balance,
        "vintages": vintages})


def deficit_deducted(*, entry, actor, units_requested):
    return _record(K.DEFICIT_DEDUCTED, entry.activity, actor, {
        "monitoring_period": entry.period.number, "quantity": entry.quantity, "balance": entry.balance,
        "units_requested": units_requested})


def storage_loss_recorded(*, loss, actor, vintages):
    return _record(K.STORAGE_LOSS_RECORDED, loss.period.activity, actor, {
        "monitoring_period": loss.period.number, "quantity": loss.quantity, "observed_event": loss.event.number,
        "vintages": vintages})


def termination_requested(*, termination, actor, comment=""):
    return _record(K.TERMINATION_REQUESTED, termination.activity, actor, {
        "termination": termination.number, "ground": termination.ground, "evidence": termination.evidence_id},
        comment=comment)


def stress_test_run(*, test, actor):
    return event_record(stream=test.stream, kind=K.STRESS_TEST_RUN, actor=actor, to_state=test.state, payload={
        "stress_test": test.pk, "parameters": test.parameters, "ledger_mark": test.ledger_mark,
        "results": test.results, "rule_set": test.rule_set.version,
        "due_at": test.due_at.isoformat() if test.due_at else None})
