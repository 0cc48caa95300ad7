"""The conflict retry (issue 11): a deadlock or serialization failure reruns the whole atomic
block a bounded number of times, then ends in a clear error, never a 500."""
import logging

import psycopg.errors
import pytest
from django.db import OperationalError, transaction

from pacm.common.errors import ServiceError
from pacm.common.retry import BUSY_MESSAGE, conflict_retry, is_conflict
from pacm.parties.models import Party


@pytest.fixture(autouse=True)
def _no_pause(settings):
    settings.PACM_DB_CONFLICT_BACKOFF_SECONDS = 0
    settings.PACM_DB_CONFLICT_ATTEMPTS = 4


def deadlock():
    """What Django raises on PostgreSQL: its OperationalError over the driver's DeadlockDetected."""
    try:
        raise psycopg.errors.DeadlockDetected("deadlock detected")
    except psycopg.errors.DeadlockDetected as driver:
        try:
            raise OperationalError("deadlock detected") from driver
        except OperationalError as wrapped:
            return wrapped


def serialization_failure():
    try:
        raise psycopg.errors.SerializationFailure("could not serialize access")
    except psycopg.errors.SerializationFailure as driver:
        try:
            raise OperationalError("could not serialize access") from driver
        except OperationalError as wrapped:
            return wrapped


def flaky(failures, error=deadlock):
    """A function that raises `error()` `failures` times, then returns the number of calls."""
    calls = []

    def fn():
        calls.append(1)
        if len(calls) <= failures:
            raise error()
        return len(calls)

    return fn, calls


def test_what_counts_as_a_conflict():
    assert is_conflict(deadlock()) and is_conflict(serialization_failure())
    assert is_conflict(OperationalError("database is locked"))  # SQLite's busy timeout
    assert not is_conflict(OperationalError("server closed the connection unexpectedly"))
    assert not is_conflict(ValueError("deadlock detected"))


@pytest.mark.django_db
def test_a_function_that_deadlocks_twice_then_succeeds_is_rerun(caplog):
    fn, calls = flaky(2)
    with caplog.at_level(logging.WARNING, logger="pacm.common.retry"):
        assert conflict_retry(fn)() == 3
    assert len(calls) == 3
    assert [r.name for r in caplog.records].count("pacm.common.retry") == 2


@pytest.mark.django_db
def test_a_serialization_failure_is_rerun_too():
    fn, calls = flaky(1, serialization_failure)
    assert conflict_retry(fn)() == 2


@pytest.mark.django_db
def test_one_that_always_deadlocks_ends_in_a_clear_error_after_the_last_try(settings):
    settings.PACM_DB_CONFLICT_ATTEMPTS = 3
    fn, calls = flaky(10)
    with pytest.raises(ServiceError) as caught:
        conflict_retry(fn)()
    assert caught.value.message == BUSY_MESSAGE and "nothing was changed" in BUSY_MESSAGE
    assert len(calls) == 3
    assert is_conflict(caught.value.__cause__)


@pytest.mark.django_db
def test_a_failed_try_leaves_nothing_behind():
    """Each try runs in its own atomic block: the rows the first try wrote are rolled back."""
    tries = []

    @conflict_retry
    def create():
        tries.append(1)
        Party.objects.create(iso2="ZZ", name="Zedland")
        if len(tries) == 1:
            raise deadlock()
        return Party.objects.filter(iso2="ZZ").count()

    assert create() == 1
    assert len(tries) == 2 and Party.objects.filter(iso2="ZZ").count() == 1


@pytest.mark.django_db
def test_other_errors_are_not_retried():
    fn, calls = flaky(5, lambda: OperationalError("server closed the connection unexpectedly"))
    with pytest.raises(OperationalError):
        conflict_retry(fn)()
    assert len(calls) == 1
    refused, refused_calls = flaky(5, lambda: ServiceError("no"))
    with pytest.raises(ServiceError, match="no"):
        conflict_retry(refused)()
    assert len(refused_calls) == 1


@pytest.mark.django_db
def test_inside_a_callers_transaction_the_caller_reruns_it():
    """Only the outermost block can be rerun: a nested call runs once and lets the conflict rise."""
    inner, inner_calls = flaky(1)
    with pytest.raises(OperationalError), transaction.atomic():
        conflict_retry(inner)()
    assert len(inner_calls) == 1

    inner, inner_calls = flaky(1)
    outer = conflict_retry(lambda: conflict_retry(inner)())
    assert outer() == 2 and len(inner_calls) == 2
