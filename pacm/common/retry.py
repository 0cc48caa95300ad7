"""Rerun a whole atomic block when the database gives up on it (deadlock, serialization failure).

The services take their locks in one order (docs/architecture.md, "Lock order"), so a conflict
should not happen; if one still does, PostgreSQL has rolled the transaction back and the only
safe thing is to run the whole block again from the start. `conflict_retry` does that a bounded
number of times (`PACM_DB_CONFLICT_ATTEMPTS`) and then raises a ServiceError that says nothing
was changed, so a person never sees a 500 for it.

Only the outermost block can be rerun: inside someone else's transaction the wrapper runs the
function once and lets the conflict rise to the caller that owns the transaction (a view's
`submit_once`, a task, a retrying service). The atomic blocks of a test case do not count as an
owner, so the retry also works inside a test's transaction (as a savepoint).
"""
import functools
import logging
import random
import threading
import time

from django.conf import settings
from django.db import OperationalError, transaction

from .errors import ServiceError

log = logging.getLogger(__name__)

# PostgreSQL SQLSTATEs after which the transaction was rolled back and may simply be rerun.
SERIALIZATION_FAILURE = "40001"
DEADLOCK_DETECTED = "40P01"
CONFLICT_SQLSTATES = frozenset({SERIALIZATION_FAILURE, DEADLOCK_DETECTED})
BUSY_MESSAGE = (
    "The registry was busy with other requests at the same moment and nothing was changed. "
    "Please try again."
)


def is_conflict(exc):
    """Whether `exc` (or the driver error under it) is a deadlock or a serialization failure."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        state = getattr(exc, "sqlstate", None) or getattr(exc, "pgcode", None)
        if state in CONFLICT_SQLSTATES:
            return True
        # SQLite's equivalent: another connection held the write lock past the busy timeout.
        if isinstance(exc, OperationalError) and "database is locked" in str(exc):
            return True
        exc = exc.__cause__ or exc.__context__
    return False


def _owned_by_caller(connection):
    """True inside a transaction that a caller opened (a test case's own blocks do not count)."""
    if not connection.in_atomic_block:
        return False
    return not all(getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def _attempts():
    return max(1, int(getattr(settings, "PACM_DB_CONFLICT_ATTEMPTS", 4)))


def _pause(attempt):
    """A short, growing, jittered pause so the two sides of a conflict do not meet again at once."""
    base = float(getattr(settings, "PACM_DB_CONFLICT_BACKOFF_SECONDS", 0.02))
    if base > 0:
        time.sleep(base * attempt * (1 + random.random()))  # noqa: S311 - jitter, not a secret


_OPENED = threading.local()


def atomic_step(using=None):
    """The atomic block of a function under `conflict_retry`: no savepoint of its own when the block
    around it is the one `conflict_retry` opened for this call (pacm issue 8: one transaction, no
    savepoint per step); a savepoint, as before, inside a transaction its caller opened."""
    connection = transaction.get_connection(using)
    depth = getattr(_OPENED, "depth", None)
    opened_here = depth is not None and connection.in_atomic_block and len(connection.atomic_blocks) == depth
    return transaction.atomic(using=using, savepoint=not opened_here)


def conflict_retry(fn=None, *, using=None):
    """Decorator: run `fn` in one atomic block, rerun on a conflict, at most PACM_DB_CONFLICT_ATTEMPTS times."""
    if fn is None:
        return functools.partial(conflict_retry, using=using)

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if _owned_by_caller(transaction.get_connection(using)):
            return fn(*args, **kwargs)
        attempts = _attempts()
        for attempt in range(1, attempts + 1):
            try:
                with transaction.atomic(using=using):
                    outer = getattr(_OPENED, "depth", None)
                    _OPENED.depth = len(transaction.get_connection(using).atomic_blocks)
                    try:
                        return fn(*args, **kwargs)
                    finally:
                        _OPENED.depth = outer
            except OperationalError as exc:
                if not is_conflict(exc):
                    raise
                log.warning("%s: database conflict on attempt %d of %d: %s", fn.__qualname__, attempt,
                            attempts, str(exc).splitlines()[0] if str(exc) else type(exc).__name__)
                if attempt == attempts:
                    raise ServiceError(BUSY_MESSAGE, code="invalid") from exc
                _pause(attempt)
        raise AssertionError("unreachable")  # pragma: no cover

    return wrapper
