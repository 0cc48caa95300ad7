"""Due dates of monitoring reports of removals (A6.4-STAN-METH-002 v01.0 paras 21-25): the first
within the methodology version's years of the crediting period's start, the next within its
interval of the last report; a missed one suspends the units (para 25); the SB extends on request
(para 24)."""
import datetime

import pytest
import time_machine
from django.utils import timezone

from pacm.common.errors import Refused
from pacm.events.models import Event, EventKind
from pacm.registry.models import Suspension
from projects.models import Activity
from projects.reversals import services as rev
from projects.reversals.due_cycle import DueState as D
from projects.reversals.models import ReportDue
from projects.timers import timers_run


@pytest.fixture
def removals(world, registered):
    version = registered.methodology_version
    version.methodology.kind = "removals"
    version.methodology.save()
    version.first_report_max_years, version.report_interval_max_years = 5, 2
    version.save()
    Activity.objects.filter(pk=registered.pk).update(risk_rating="low")
    return Activity.objects.get(pk=registered.pk)


def test_first_due_date_from_the_crediting_start_and_the_next_from_the_report(world, removals, submit):
    timers_run()  # opens the first due date (para 21(a))
    due = ReportDue.objects.get(activity=removals)
    start = removals.crediting_start
    assert (due.number, due.state, due.due_on) == (1, D.OPEN, start.replace(year=start.year + 5))
    assert Event.objects.filter(stream=removals.stream, kind=EventKind.REPORT_DUE_SET).count() == 1
    timers_run()
    assert ReportDue.objects.filter(activity=removals).count() == 1  # idempotent
    submit(removals)
    due.refresh_from_db()
    assert due.state == D.MET
    following = ReportDue.objects.get(activity=removals, number=2)
    today = timezone.localdate()
    assert following.due_on == today.replace(year=today.year + 2)  # para 21(b): 2 years in this version


def test_a_missed_due_date_suspends_and_the_sb_lifts_after_the_late_report(world, removals, submit):
    timers_run()
    due = ReportDue.objects.get(activity=removals)
    with time_machine.travel(due.due_at - datetime.timedelta(seconds=1), tick=False):
        timers_run()
    due.refresh_from_db()
    assert due.state == D.OPEN
    with time_machine.travel(due.due_at + datetime.timedelta(seconds=1), tick=True):
        timers_run()
        due.refresh_from_db()
        assert due.state == D.MISSED and due.suspension.is_open  # para 25
        last = Event.objects.filter(stream=removals.stream).order_by("-sequence")[0]
        assert (last.kind, last.payload["transition"], last.actor_label) == (
            EventKind.REPORT_DUE_TRANSITIONED, "miss_due_date", "timer:miss_due_date")
        submit(removals)
        due.refresh_from_db()
        assert due.state == D.LATE and Suspension.objects.get(pk=due.suspension_id).is_open
        for refused in (world.ama, world.sam, world.dora):
            with pytest.raises(Refused):
                rev.due_lift_suspension(due=due, user=refused, comment="x")
        due = rev.due_lift_suspension(due=due, user=world.sofia, comment="Report received")
        assert due.state == D.LIFTED and not Suspension.objects.get(pk=due.suspension_id).is_open


def test_the_sb_grants_or_refuses_an_extension(world, removals):
    timers_run()
    due = ReportDue.objects.get(activity=removals)
    later = due.due_on + datetime.timedelta(days=90)
    for refused in (world.kofi, world.sofia, world.sam):
        with pytest.raises(Refused):
            rev.due_request_extension(due=due, user=refused, requested_due_on=later, comment="Cyclone")
    due = rev.due_request_extension(due=due, user=world.ama, requested_due_on=later,
                                    comment="Cyclone: the plots are unreachable (para 24)")
    assert due.state == D.EXTENSION_REQUESTED and due.justification.startswith("Cyclone")
    with pytest.raises(Refused):
        rev.due_grant_extension(due=due, user=world.ama, comment="x")
    due = rev.due_grant_extension(due=due, user=world.sofia, comment="Granted")
    assert (due.state, due.due_on, due.due_at) == (D.OPEN, later, rev.day_end(later))
    due = rev.due_request_extension(due=due, user=world.ama, requested_due_on=later + datetime.timedelta(days=30),
                                    comment="Again")
    due = rev.due_refuse_extension(due=due, user=world.sofia, comment="Refused")
    assert (due.state, due.due_on) == (D.OPEN, later)
