"""The demo clock (pacm issue 9): refused outside demo mode (the setting off, or a database
seed_demo did not mark); in a demo, `run_timers --advance DAYS` and the activity page's button
move it forward and the timer pass fires what falls due (policy.md §3: timers count calendar days)."""
import datetime
import io
import math

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone

from pacm.common import clock
from pacm.common.errors import Refused, ServiceError
from pacm.demo.models import DemoClock
from pacm.demo.services import demo_clock_advance, demo_mark, demo_mode
from pacm.events.models import Event
from pacm.parties.roles import Actor
from projects.cycle import ActivityState as A
from projects.demo import activity_demo_advance
from projects.models import Activity


def _days_to(due_at):
    return math.ceil((due_at - clock.now()).total_seconds() / 86400)


def test_refused_without_the_mark_even_with_the_setting_on(db, settings):
    settings.PACM_DEMO_CLOCK = True
    with pytest.raises(Refused) as refused:
        demo_clock_advance(actor=Actor.timer("demo_clock"), by=datetime.timedelta(days=1))
    assert refused.value.code == "not_demo"
    with pytest.raises(CommandError, match="not a demo"):
        call_command("run_timers", "--advance", "28", stdout=io.StringIO())
    assert not DemoClock.objects.exists() and not Event.objects.filter(stream="demo").exists()


def test_refused_with_debug_off_and_the_setting_absent_even_when_marked(db, settings):
    settings.DEBUG = False
    settings.PACM_DEMO_CLOCK = False  # its default outside DEBUG (pacm/settings.py)
    demo_mark()
    assert demo_mode() is False
    with pytest.raises(Refused) as refused:
        demo_clock_advance(actor=Actor.timer("demo_clock"), by=datetime.timedelta(days=1))
    assert refused.value.code == "demo_clock_off"
    with pytest.raises(CommandError, match="PACM_DEMO_CLOCK"):
        call_command("run_timers", "--advance", "28", stdout=io.StringIO())
    # A row with an offset (written by hand) moves nothing outside demo mode.
    DemoClock.objects.update(offset=datetime.timedelta(days=400))
    clock.forget()
    assert abs(clock.now() - timezone.now()) < datetime.timedelta(seconds=5)
    assert DemoClock.objects.get().offset == datetime.timedelta(days=400)
    assert not Event.objects.filter(stream="demo").exists()


def test_the_button_is_refused_outside_demo_mode(client, world, activity, advance_to):
    activity = advance_to(activity, A.CONSULTATION)
    client.force_login(world.ama)
    response = client.post(reverse("activity-demo-advance", args=[activity.reference]))
    assert response.status_code == 403
    assert Activity.objects.get(pk=activity.pk).state == A.CONSULTATION
    page = client.get(reverse("activity-detail", args=[activity.reference]))
    assert b'id="demo-clock"' not in page.content


def test_advance_moves_the_clock_and_fires_what_falls_due(demo, world, activity, advance_to):
    activity = advance_to(activity, A.CONSULTATION)
    days = _days_to(activity.due_at)
    # One day short: nothing falls due; the clock moved all the same.
    out = io.StringIO()
    call_command("run_timers", "--advance", str(days - 1), stdout=out)
    assert f"demo clock now {days - 1} day(s) ahead." in out.getvalue()
    assert "Nothing due." in out.getvalue()
    assert Activity.objects.get(pk=activity.pk).state == A.CONSULTATION
    out = io.StringIO()
    call_command("run_timers", "--advance", "1", stdout=out)
    assert f"fired close_consultation on {activity.reference}" in out.getvalue()
    activity.refresh_from_db()
    assert activity.state == A.UNDER_VALIDATION
    # The state was entered in demo time: days ahead of the real clock.
    assert activity.state_entered_at - timezone.now() > datetime.timedelta(days=days - 1)
    advanced = list(Event.objects.filter(stream="demo").order_by("sequence"))
    assert [(e.kind, e.actor_label, e.role, e.payload["by_seconds"], e.payload["offset_seconds"]) for e in advanced] == [
        ("demo.clock_advanced", "timer:demo_clock", "timer", (days - 1) * 86400, (days - 1) * 86400),
        ("demo.clock_advanced", "timer:demo_clock", "timer", 86400, days * 86400),
    ]
    fired = Event.objects.filter(stream=activity.stream).order_by("-sequence").first()
    assert (fired.kind, fired.actor_label, fired.from_state, fired.to_state) == (
        "activity.transitioned", "timer:close_consultation", A.CONSULTATION, A.UNDER_VALIDATION)


def test_advance_is_bounded(demo):
    for days in ("0", "-3", "3651"):
        with pytest.raises(CommandError):
            call_command("run_timers", "--advance", days, stdout=io.StringIO())
    assert DemoClock.objects.get().offset == datetime.timedelta(0)


def test_the_button_advances_to_the_activity_s_next_due_date(client, demo, world, activity, advance_to):
    activity = advance_to(activity, A.CONSULTATION)
    client.force_login(world.ama)
    page = client.get(reverse("activity-detail", args=[activity.reference]))
    assert b'id="demo-advance"' in page.content
    response = client.post(reverse("activity-demo-advance", args=[activity.reference]), follow=True)
    assert response.status_code == 200
    assert b"close_consultation" in response.content
    activity.refresh_from_db()
    assert activity.state == A.UNDER_VALIDATION
    event = Event.objects.filter(stream="demo").get()
    assert (event.kind, event.actor_label, event.role, event.activity_id) == (
        "demo.clock_advanced", "ama", "participant", activity.pk)
    # Now the DOE's move: nothing waits for a date.
    with pytest.raises(ServiceError) as nothing:
        activity_demo_advance(activity=activity, user=world.ama)
    assert nothing.value.code == "nothing_due"
    assert Event.objects.filter(stream="demo").count() == 1


def test_only_the_activity_s_people_or_the_secretariat_press_it(client, demo, world, activity, advance_to):
    activity = advance_to(activity, A.CONSULTATION)
    # kofi (another developer), otto (another DOE), nils (another DNA), sofia (the SB): not theirs.
    for persona in ("kofi", "otto", "nils", "sofia"):
        with pytest.raises(Refused):
            activity_demo_advance(activity=activity, user=getattr(world, persona))
        client.force_login(getattr(world, persona))
        assert client.post(reverse("activity-demo-advance", args=[activity.reference])).status_code in (403, 404)
    assert not Event.objects.filter(stream="demo").exists()
    assert DemoClock.objects.get().offset == datetime.timedelta(0)
    _now, fired = activity_demo_advance(activity=activity, user=world.sam)
    assert [name for _subject, name in fired] == ["close_consultation"]


def test_a_second_press_on_a_stale_page_moves_nothing(client, demo, world, activity, advance_to):
    activity = advance_to(activity, A.CONSULTATION)
    client.force_login(world.ama)
    url = reverse("activity-demo-advance", args=[activity.reference])
    client.post(url, {"expected_state": A.CONSULTATION})
    offset = DemoClock.objects.get().offset
    response = client.post(url, {"expected_state": A.CONSULTATION}, follow=True)
    assert b"changed while you were looking" in response.content
    assert DemoClock.objects.get().offset == offset
    assert Event.objects.filter(stream="demo").count() == 1
