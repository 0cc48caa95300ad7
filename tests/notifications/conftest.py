"""Fixtures for the notification tests: the issuance helpers, reused, and `told`."""
import datetime

import pytest
import time_machine

from pacm.notifications.models import Notification
from projects.timers import timers_run
from tests.issuance.conftest import drive, period_over, registered, submit  # noqa: F401  (fixtures, reused)
from tests.projects.conftest import reach  # noqa: F401


def jump(obj):
    """Past `obj`'s due date, one timer pass."""
    obj.refresh_from_db()
    with time_machine.travel(obj.due_at + datetime.timedelta(seconds=1), tick=False):
        return timers_run()


@pytest.fixture
def told(django_capture_on_commit_callbacks):
    """Run `fire()` with its on-commit work executed; the usernames told of write `name`."""

    def run(name, fire):
        before = set(Notification.objects.values_list("pk", flat=True))
        with django_capture_on_commit_callbacks(execute=True):
            fire()
        rows = Notification.objects.exclude(pk__in=before).filter(write=name).select_related("recipient")
        return {r.recipient.username for r in rows}, list(rows)

    return run
