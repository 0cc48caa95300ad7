"""Recording events. Callers hold the lock on the stream's owner row (the activity, the
issuance), so sequence numbers and the chain stay linear without a lock of their own."""
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from .models import GENESIS, Event
from .shapes import shape_check


def _normalise(payload):
    # Store exactly what the hash will be recomputed from after a round trip through the DB.
    return json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))


def stream_head(stream_expression):
    """Annotations {"head_sequence", "head_hash"} of the last event of the stream named by an expression:
    a lock of the stream's owner reads them in its own statement (pacm issue 8) and hands them to
    `event_record(head=...)` through `head_of`."""
    from django.db.models import Subquery

    last = Event.objects.filter(stream=stream_expression).order_by("-sequence")
    return {"head_sequence": Subquery(last.values("sequence")[:1]), "head_hash": Subquery(last.values("hash")[:1])}


def head_of(row):
    """The (sequence, hash) `stream_head` annotated on a locked row; (0, GENESIS) for an empty stream;
    None if the row was read without it (`event_record` then reads it)."""
    if not hasattr(row, "head_sequence"):
        return None
    if row.head_sequence is None:
        return (0, GENESIS)
    return (row.head_sequence, row.head_hash)


def event_record(
    *, stream, kind, actor, activity=None, from_state="", to_state="", comment="", payload=None, head=None
):
    """Append one event to `stream`; must run inside the transaction that made the change.

    The payload must match the kind's declared shape (pacm.events.shapes), or nothing is written.
    `head`: the stream's last (sequence, hash), read by the caller under the lock of the stream's
    owner in this transaction (`stream_head`, or the event it recorded just before); else read here.
    """
    shape_check(kind, payload)
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("event_record must run inside the transaction that made the change")
    if head is not None:
        last = {"sequence": head[0], "hash": head[1]} if head[0] else None
    else:
        last = Event.objects.filter(stream=stream).order_by("-sequence").values("sequence", "hash").first()
    event = Event(
        stream=stream,
        sequence=(last["sequence"] + 1) if last else 1,
        kind=kind,
        activity=activity,
        actor=actor.user,
        actor_label=actor.name,
        organisation=actor.organisation,
        role=str(actor.role),
        from_state=from_state or "",
        to_state=to_state or "",
        comment=comment or "",
        payload=_normalise(payload),
        created_at=timezone.now(),
        prev_hash=last["hash"] if last else GENESIS,
    )
    event.hash = event.compute_hash()
    event.save()
    return event


def chain_verify(stream):
    """Return a list of problems in the stream's chain; empty when it is intact."""
    problems = []
    prev = GENESIS
    expected_sequence = 1
    for event in Event.objects.filter(stream=stream).order_by("sequence").iterator():
        if event.sequence != expected_sequence:
            problems.append(f"{stream}: event #{expected_sequence} is missing (found #{event.sequence})")
        if event.prev_hash != prev:
            problems.append(f"{stream}#{event.sequence}: previous-hash link broken")
        if event.compute_hash() != event.hash:
            problems.append(f"{stream}#{event.sequence}: content does not match its hash (edited)")
        prev = event.hash
        expected_sequence = event.sequence + 1
    return problems
