"""The event log is append-only and hash-chained per stream (pacm.events): the ORM refuses to
edit or delete an event, and `verify_events` finds any row changed or removed behind its back."""
import io
import json

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction

from pacm.events.models import GENESIS, Event, EventKind
from pacm.events.services import chain_verify, event_record
from pacm.parties.roles import Actor
from projects.cycle import ActivityState as A


@pytest.fixture
def registered(activity, advance_to):
    return advance_to(activity, A.REGISTERED)


def _events(activity):
    return list(Event.objects.filter(stream=activity.stream).order_by("sequence"))


def _sql(statement, params):
    with connection.cursor() as cursor:
        cursor.execute(statement, params)


def test_orm_cannot_edit_or_delete_an_event(registered):
    event = _events(registered)[2]
    event.comment = "rewritten"
    with pytest.raises(TypeError):
        event.save()
    with pytest.raises(TypeError):
        event.delete()
    with pytest.raises(TypeError):
        Event.objects.filter(pk=event.pk).update(comment="rewritten")
    with pytest.raises(TypeError):
        Event.objects.filter(pk=event.pk).delete()
    with pytest.raises(TypeError), transaction.atomic():
        Event.objects.bulk_update([event], ["comment"])
    assert Event.objects.get(pk=event.pk).comment != "rewritten"
    assert chain_verify(registered.stream) == []


def test_the_chain_links_every_event_to_the_one_before(registered):
    events = _events(registered)
    assert [e.sequence for e in events] == list(range(1, len(events) + 1))
    assert events[0].prev_hash == GENESIS
    for before, after in zip(events, events[1:], strict=False):
        assert after.prev_hash == before.hash
    for event in events:
        assert event.hash == event.compute_hash() and len(event.hash) == 64
    assert chain_verify(registered.stream) == []


def test_verify_events_command_succeeds_on_an_intact_log(registered, new_other_activity):
    out = io.StringIO()
    call_command("verify_events", stdout=out)
    streams = Event.objects.values("stream").distinct().count()
    assert streams >= 2
    assert f"OK: {streams} stream(s) verified" in out.getvalue()
    out = io.StringIO()
    call_command("verify_events", "--stream", registered.stream, stdout=out)
    assert "OK: 1 stream(s) verified" in out.getvalue()


@pytest.fixture
def new_other_activity(world):
    from projects import services

    from .. import factories as f

    return services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version, title="Second site"))


def test_a_row_edited_with_raw_sql_is_found(registered, new_other_activity):
    target = _events(registered)[4]
    _sql("UPDATE events_event SET comment='x' WHERE id=%s", [target.pk])
    problems = chain_verify(registered.stream)
    assert problems == [f"{registered.stream}#{target.sequence}: content does not match its hash (edited)"]
    with pytest.raises(CommandError) as error:
        call_command("verify_events", stdout=io.StringIO())
    assert f"{registered.stream}#{target.sequence}" in str(error.value)
    assert new_other_activity.stream + "#" not in str(error.value)
    # The untouched stream still verifies on its own.
    call_command("verify_events", "--stream", new_other_activity.stream, stdout=io.StringIO())


def test_an_edited_payload_is_found(registered):
    target = next(e for e in _events(registered) if e.kind == EventKind.FEE_ASSESSED)
    payload = dict(target.payload, amount_usd="1.00")
    _sql("UPDATE events_event SET payload=%s WHERE id=%s", [json.dumps(payload), target.pk])
    with pytest.raises(CommandError, match=f"{registered.stream}#{target.sequence}: content does not match"):
        call_command("verify_events", "--stream", registered.stream, stdout=io.StringIO())


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(registered):
    events = _events(registered)
    target, following = events[3], events[4]
    target.comment = "forged"
    forged_hash = target.compute_hash()
    _sql("UPDATE events_event SET comment=%s, hash=%s WHERE id=%s", ["forged", forged_hash, target.pk])
    problems = chain_verify(registered.stream)
    assert problems == [f"{registered.stream}#{following.sequence}: previous-hash link broken"]


def test_a_middle_row_deleted_with_raw_sql_is_found(registered):
    events = _events(registered)
    middle = events[len(events) // 2]
    _sql("DELETE FROM events_event WHERE id=%s", [middle.pk])
    problems = chain_verify(registered.stream)
    assert f"{registered.stream}: event #{middle.sequence} is missing (found #{middle.sequence + 1})" in problems
    assert f"{registered.stream}#{middle.sequence + 1}: previous-hash link broken" in problems
    with pytest.raises(CommandError) as error:
        call_command("verify_events", stdout=io.StringIO())
    assert f"event #{middle.sequence} is missing" in str(error.value)


def test_the_first_row_deleted_is_found(registered):
    first = _events(registered)[0]
    _sql("DELETE FROM events_event WHERE id=%s", [first.pk])
    assert chain_verify(registered.stream)[:2] == [
        f"{registered.stream}: event #1 is missing (found #2)",
        f"{registered.stream}#2: previous-hash link broken",
    ]


def test_an_event_records_who_acted_and_chains_on(db):
    with transaction.atomic():
        opened = {"number": "X-1", "kind": "holding", "name": "X", "organisation": None, "party": None}
        first = event_record(stream="test:1", kind=EventKind.ACCOUNT_OPENED, actor=Actor.timer("sweep"),
                             payload=opened)
        second = event_record(stream="test:1", kind=EventKind.ACCOUNT_OPENED, actor=Actor.timer("sweep"),
                              payload={**opened, "number": "X-2"})
    assert (first.sequence, second.sequence, second.prev_hash) == (1, 2, first.hash)
    assert (first.actor, first.actor_label, first.role, first.organisation) == (None, "timer:sweep", "timer", None)
    assert chain_verify("test:1") == []


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_event_record_refuses_to_run_outside_the_changes_transaction():
    with pytest.raises(RuntimeError):
        event_record(stream="test:2", kind=EventKind.ACCOUNT_OPENED, actor=Actor.timer("sweep"),
                     payload={"number": "X-3", "kind": "holding", "name": "X", "organisation": None, "party": None})
    assert not Event.objects.filter(stream="test:2").exists()
