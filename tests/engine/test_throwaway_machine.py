"""Adding a machine is a model, a table and its services: nothing in the engine changes.

A throwaway "toy request" machine is registered here, with its own table created for the test,
and the generic parts serve it: the write skeleton (lock, actor, state, guards, event), the
timer pass, notifications' recipients and `available_actions` (docs/architecture.md, "How to
add a machine").
"""
import datetime

import pytest
import time_machine
from django.db import connection, models
from django_fsm import FSMField

from pacm.common.errors import Refused, ServiceError
from pacm.engine.declarations import A as Act
from pacm.engine.declarations import T
from pacm.engine.machines import Machine, machine_register, machine_unregister, machines
from pacm.engine.notify import recipients
from pacm.engine.offers import available_actions, waiting_q
from pacm.engine.run import write_run
from pacm.engine.timers import timers_run
from pacm.events.models import Event
from pacm.events.shapes import shape_register
from pacm.parties.models import Organisation
from pacm.parties.roles import Role, Tie
from projects.fsm import fsm_mixin

K = Organisation.Kind
# The toy's table is created and dropped around each test (DDL needs a real transaction); the
# migrations' seed rows (sectoral scopes, rule sets) are restored after each flush.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


class ToyState(models.TextChoices):
    OPEN = "open", "Open"
    IN_REVIEW = "in_review", "In review"
    DONE = "done", "Done"
    DROPPED = "dropped", "Dropped"


TOY_TRANSITIONS = (
    T("submit", ToyState.OPEN, ToyState.IN_REVIEW, {Role.PARTICIPANT}, "Submit", guards=("has_note",), timer="toy"),
    T("close_by_timer", ToyState.IN_REVIEW, ToyState.DONE, {Role.TIMER}, "Close (window over)"),
    T("drop", (ToyState.OPEN, ToyState.IN_REVIEW), ToyState.DROPPED, {Role.SECRETARIAT}, "Drop", needs_reason=True),
)
TOY_ACTIONS = (Act("annotate", ToyState.OPEN, {Role.PARTICIPANT}, "Annotate"),)

ToyTransitions = fsm_mixin("ToyTransitions", __name__, "state", TOY_TRANSITIONS)


class Toy(ToyTransitions, models.Model):
    # DO_NOTHING, no constraint: other tests in the process (the admin's delete pages) never look
    # for toys of an organisation in a table that exists only during this module's tests.
    owner = models.ForeignKey("parties.Organisation", on_delete=models.DO_NOTHING, db_constraint=False,
                              related_name="+")
    note = models.CharField(max_length=50, blank=True)
    state = FSMField(default=ToyState.OPEN, choices=ToyState.choices, protected=True)
    state_entered_at = models.DateTimeField(null=True)
    due_at = models.DateTimeField(null=True)

    class Meta:
        app_label = "engine"

    @property
    def stream(self):
        return f"toy:{self.pk}"


class toy_guards:  # noqa: N801 - a namespace of guards, as a module would be
    @staticmethod
    def has_note(toy):
        return None if toy.note else "Write a note first."


TOY = Machine(
    name="toy", model=Toy, states=ToyState, initial=ToyState.OPEN, transitions=TOY_TRANSITIONS,
    actions=TOY_ACTIONS, terminal=frozenset({ToyState.DONE, ToyState.DROPPED}),
    timed={ToyState.IN_REVIEW: "close_by_timer"},
    ties=(Tie(Role.PARTICIPANT, K.PARTICIPANT, "owner"), Tie(Role.SECRETARIAT, K.SECRETARIAT)),
    guards=toy_guards, event_kind="toy.transitioned", subject_kwarg="toy",
    describe=lambda t: f"toy {t.pk}", timer_days=lambda key, on_date: 3, audience=frozenset({Role.PARTICIPANT}),
)


@TOY.serves("submit")
def toy_submit(*, toy, user, expected_state=None):
    return write_run(machine=TOY, pk=toy.pk, name="submit", user=user, expected_state=expected_state)


@TOY.serves("close_by_timer")
def toy_close_by_timer(*, toy, actor):
    return write_run(machine=TOY, pk=toy.pk, name="close_by_timer", user=actor)


@TOY.serves("annotate")
def toy_annotate(*, toy, user, note):
    from pacm.events.services import event_record

    def apply(obj, actor):
        obj.note = note
        obj.save(update_fields=["note"])
        return event_record(stream=obj.stream, kind="toy.annotated", actor=actor, payload={"note": note})

    return write_run(machine=TOY, pk=toy.pk, name="annotate", user=user, apply=apply)


shape_register("toy.transitioned", {"transition"})
shape_register("toy.annotated", {"note"})


@pytest.fixture
def toy_machine(db):
    with connection.schema_editor() as editor:
        editor.create_model(Toy)
    machine_register(TOY)
    yield TOY
    machine_unregister("toy")
    with connection.schema_editor() as editor:
        editor.delete_model(Toy)


@pytest.fixture
def toy(toy_machine, world):
    return Toy.objects.create(owner=world.orgs["dev"])


def test_the_engine_serves_a_machine_it_was_never_told_about(toy, world):
    assert TOY in machines()
    # available_actions: the owner's participant may annotate and (blocked by its guard) submit.
    offers = available_actions(world.ama, toy)
    assert offers.names == {"submit", "annotate"}
    assert str(offers.get("submit").blocked) == "Write a note first."
    assert available_actions(world.kofi, toy).names == set()  # not tied: nothing
    assert available_actions(world.sam, toy).names == {"drop"}
    # The skeleton: guard, state, actor, one typed event on the subject's stream.
    with pytest.raises(ServiceError, match="Write a note first"):
        toy_submit(toy=toy, user=world.ama)
    with pytest.raises(Refused):
        toy_annotate(toy=toy, user=world.kofi, note="not mine")
    toy_annotate(toy=toy, user=world.ama, note="ready")
    toy = toy_submit(toy=toy, user=world.ama)
    assert toy.state == ToyState.IN_REVIEW and toy.due_at is not None
    kinds = list(Event.objects.filter(stream=toy.stream).order_by("sequence").values_list("kind", flat=True))
    assert kinds == ["toy.annotated", "toy.transitioned"]
    with pytest.raises(Refused, match="changed while you were looking"):
        write_run(machine=TOY, pk=toy.pk, name="drop", user=world.sam, comment="x", expected_state=ToyState.OPEN)


def test_queues_notifications_and_timers_serve_it(toy, world):
    Toy.objects.filter(pk=toy.pk).update(note="ready")
    assert list(Toy.objects.filter(waiting_q(world.ama, TOY))) == [toy]  # submit waits for its owner
    assert not Toy.objects.filter(waiting_q(world.kofi, TOY)).exists()
    toy = toy_submit(toy=Toy.objects.get(pk=toy.pk), user=world.ama)
    # Who may act next (the secretariat may drop it) and the audience (its participants), not the actor.
    assert {u.username for u in recipients(subject=toy, actor_user_id=world.ama.pk)} == {"sam"}
    assert {u.username for u in recipients(subject=toy)} == {"sam", "ama"}
    assert timers_run() == []  # not due yet
    with time_machine.travel(toy.due_at + datetime.timedelta(seconds=1), tick=False):
        assert timers_run() == [(f"toy {toy.pk}", "close_by_timer")]
    assert Toy.objects.get(pk=toy.pk).state == ToyState.DONE
    event = Event.objects.filter(stream=toy.stream).order_by("-sequence").first()
    assert event.actor_label == "timer:close_by_timer" and event.to_state == ToyState.DONE
