"""Comments confirmed at the same moment, on PostgreSQL (row locks): numbered once each, in one
linear event chain; the same link followed twice at once publishes once.

Run: DATABASE_URL=postgres://postgres@127.0.0.1:5432/pacm PACM_TEST_DB_NAME=pacm_x .venv/bin/pytest -q tests/consultation -m postgres
"""
import pytest
from django.db import connection

from pacm.events.models import Event
from pacm.events.services import chain_verify
from projects.consultation import services as gsc
from projects.consultation.models import Comment

from ..projects.test_concurrency import race  # noqa: F401  (the shared race helper)

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL row locks (DATABASE_URL)"),
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


def test_three_comments_confirmed_at_once_get_three_numbers(consulting, submit):
    tokens = [submit(consulting, email=f"s{n}@example.org")[1] for n in range(3)]
    results = race(*(lambda t=t: gsc.comment_confirm(token=t) for t in tokens))
    assert [kind for kind, _ in results] == ["ok"] * 3, results
    assert sorted(Comment.objects.values_list("number", flat=True)) == [1, 2, 3]
    assert Event.objects.filter(stream=consulting.stream, kind="consultation.comment_published").count() == 3
    assert chain_verify(consulting.stream) == []


def test_one_link_followed_twice_at_once_publishes_once(consulting, submit):
    _, token = submit(consulting)
    results = race(lambda: gsc.comment_confirm(token=token), lambda: gsc.comment_confirm(token=token))
    assert [kind for kind, _ in results] == ["ok", "ok"], results
    assert Comment.objects.get().number == 1
    assert Event.objects.filter(stream=consulting.stream, kind="consultation.comment_published").count() == 1
