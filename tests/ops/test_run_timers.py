"""`python manage.py run_timers` (`make timers`): one timer pass, printing what fired (policy.md §3)."""
import datetime
import io

import time_machine
from django.core.management import call_command

from projects.cycle import ActivityState as A
from projects.models import Activity


def run_timers():
    out = io.StringIO()
    call_command("run_timers", stdout=out)
    return out.getvalue()


def test_nothing_due_says_so(activity, advance_to):
    activity = advance_to(activity, A.CONSULTATION)
    assert run_timers().strip() == "Nothing due."
    assert Activity.objects.get(pk=activity.pk).state == A.CONSULTATION


def test_a_due_consultation_closes_and_is_reported(activity, advance_to):
    activity = advance_to(activity, A.CONSULTATION)
    with time_machine.travel(activity.due_at + datetime.timedelta(seconds=1), tick=False):
        output = run_timers()
        assert run_timers().strip() == "Nothing due."  # a second pass finds nothing left
    assert f"fired close_consultation on {activity.reference}" in output
    assert "1 timer(s) fired." in output
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.state == A.UNDER_VALIDATION
    last = activity.events.order_by("-sequence").first()
    assert (last.actor_label, last.role) == ("timer:close_consultation", "timer")
