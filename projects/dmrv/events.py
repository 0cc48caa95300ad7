"""The dMRV app's events, on the activity's stream: a key registered or revoked, a batch of readings received."""
from pacm.events.models import EventKind
from pacm.events.services import event_record
from pacm.events.shapes import shape_register

shape_register(EventKind.DMRV_KEY_REGISTERED, required={"key_id"})
shape_register(EventKind.DMRV_KEY_REVOKED, required={"key_id"})
shape_register(EventKind.DMRV_READINGS_RECEIVED, required={"key_id", "monitoring_period", "readings", "batch_sha256"})


def _key_event(kind, key, actor):
    return event_record(stream=key.activity.stream, kind=kind, actor=actor, activity=key.activity,
                        payload={"key_id": key.key_id})  # never the secret


def mrv_key_registered(*, key, actor):
    return _key_event(EventKind.DMRV_KEY_REGISTERED, key, actor)


def mrv_key_revoked(*, key, actor):
    return _key_event(EventKind.DMRV_KEY_REVOKED, key, actor)


def readings_received(*, batch, actor):
    return event_record(stream=batch.activity.stream, kind=EventKind.DMRV_READINGS_RECEIVED, actor=actor,
                        activity=batch.activity,
                        payload={"key_id": batch.key.key_id, "monitoring_period": batch.period_number,
                                 "readings": batch.count, "batch_sha256": batch.body_sha256})
