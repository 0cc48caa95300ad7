"""Votes and the timer at the same moment, on PostgreSQL (row locks): the decision is taken once.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacm PACM_TEST_DB_NAME=pacm_x .venv/bin/pytest -q tests/board -m postgres
"""
import pytest
import time_machine
from django.db import connection

from pacm.common.errors import Refused
from pacm.events.models import Event, EventKind
from pacm.events.services import chain_verify
from projects.board.models import Decision, Vote
from projects.board.services import board_decisions_close_due, board_vote_cast
from projects.cycle import ActivityState as A
from projects.models import Activity

from ..projects.test_concurrency import race  # noqa: F401  (the shared race helper)
from .conftest import votes

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def _decided_once(activity):
    assert Event.objects.filter(stream=activity.stream, kind=EventKind.BOARD_DECIDED).count() == 1
    assert Event.objects.filter(stream=activity.stream, kind=EventKind.ACTIVITY_TRANSITIONED,
                                to_state=A.REGISTRATION_APPROVED).count() == 1
    assert Activity.objects.get(pk=activity.pk).state == A.REGISTRATION_APPROVED
    assert chain_verify(activity.stream) == []


def test_the_last_two_members_vote_at_once(world, board, under_review, electronic):
    decision = electronic(under_review)
    votes(decision, board.members[:10], Vote.Choice.YES)
    results = race(*(lambda m=m: board_vote_cast(decision=decision, user=m, choice=Vote.Choice.YES)
                     for m in board.members[10:]))
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert Decision.objects.get(pk=decision.pk).status == Decision.Status.ADOPTED
    _decided_once(under_review)


def test_a_vote_and_the_timer_at_the_close_of_the_window(world, board, under_review, electronic):
    decision = electronic(under_review)
    votes(decision, board.members[:9], Vote.Choice.YES)
    with time_machine.travel(decision.closes_at, tick=False):
        results = race(
            lambda: board_vote_cast(decision=decision, user=board.members[9], choice=Vote.Choice.NO),
            board_decisions_close_due,
        )
    vote_kind, vote = results[0]
    # Refused either way: the window had closed, or the decision had already moved the request on
    # (the vote is then no longer a declared write of its state).
    assert vote_kind == "error" and isinstance(vote, Refused), results
    assert "votes are no longer taken" in vote.message or "is not possible while" in vote.message, results
    assert results[1] == ("ok", [(decision.pk, Decision.Status.ADOPTED)])
    assert Vote.objects.filter(decision=decision).count() == 9
    _decided_once(under_review)


def test_two_timer_passes_at_once_decide_once(world, board, under_review, electronic):
    decision = electronic(under_review)
    votes(decision, board.members[:9], Vote.Choice.YES)
    with time_machine.travel(decision.closes_at, tick=False):
        results = race(board_decisions_close_due, board_decisions_close_due)
    assert all(kind == "ok" for kind, _ in results), results
    assert sorted(len(value) for _, value in results) == [0, 1]
    _decided_once(under_review)
