"""Recording events. Callers hold the lock on the stream's owner row (the activity, the
issuance), so sequence numbers and the chain stay linear without a lock of their own."""
import json

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models.signals import post_save
from django.utils import timezone

from pacm.common import ctes

from .models import GENESIS, Event
from .shapes import shape_check


def _normalise(payload):
    # Store exactly what the hash will be recomputed from after a round trip through the DB.
    return json.loads(json.dumps(payload or {}, cls=DjangoJSONEncoder))


def event_build(
    *, stream, kind, actor, activity=None, from_state="", to_state="", comment="", payload=None, head=None
):
    """The next event of `stream`, chained and hashed but not saved (`events_save` writes it).

    The payload must match the kind's declared shape (pacm.events.shapes). `head`: the stream's last
    (sequence, hash) when the caller knows it: the event it recorded (or built) just before in this
    transaction, under the lock of the stream's owner, or read in a statement after that lock; else it
    is read here. (Never a value read with the owner's lock in one statement: a lock that waited
    returns the subquery's older snapshot.)
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
    return event


def events_saved(events):
    """What saving each event one by one would have sent (its post_save: e.g. the certificates' dispatch),
    for events written in one statement."""
    for event in events:
        post_save.send(sender=Event, instance=event, created=True, update_fields=None, raw=False,
                       using=transaction.get_connection().alias)


def events_save(events, saved_with=()):
    """Write built events (`event_build`) in one multi-row statement (pacm issue 8), in stream order.

    `saved_with` (PostgreSQL): [(name, sql, params)] writes of the same change, run as writing CTEs of
    the events' statement (pacm.common.ctes)."""
    if saved_with:
        ids = ctes.run([*saved_with, ("events", *ctes.insert(Event, events, returning="id"))])
        for event, (pk,) in zip(events, ids, strict=True):
            ctes.saved(event, pk)
        events_saved(events)
        return events
    if len(events) == 1:
        events[0].save()
        return events
    Event.objects.bulk_create(events)
    events_saved(events)
    return events


def event_record(
    *, stream, kind, actor, activity=None, from_state="", to_state="", comment="", payload=None, head=None,
    pending=(), saved_with=(),
):
    """Append one event to `stream`; must run inside the transaction that made the change.

    The payload must match the kind's declared shape (pacm.events.shapes), or nothing is written.
    `head`: see `event_build`. `pending`: events of this stream built (`event_build`) but not yet
    saved, just before this one: they are written with it, in one statement, and this one follows them;
    `saved_with`: see `events_save`.
    """
    if pending:
        head = (pending[-1].sequence, pending[-1].hash)
    event = event_build(stream=stream, kind=kind, actor=actor, activity=activity, from_state=from_state,
                        to_state=to_state, comment=comment, payload=payload, head=head)
    events_save([*pending, event], saved_with=saved_with)
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
