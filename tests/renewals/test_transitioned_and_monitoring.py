"""A transitioned activity renews right after its transition (A6.4-PROC-AC-002 v03.0 para 243;
A6.4-STAN-AC-001 v05.0 para 13), and monitoring respects the crediting period in force
(PROC-AC-002 paras 233, 242)."""
import datetime

import pytest
from dateutil.relativedelta import relativedelta

from pacm.common.errors import ServiceError
from pacm.engine.offers import available_actions
from projects import services
from projects.models import Activity
from projects.renewals import periods
from projects.renewals.cycle import RenewalState as S
from projects.transition.cycle import TransitionState as TS
from tests import factories as f
from tests.transition.helpers import create
from tests.transition.helpers import drive as drive_transition

from .helpers import DAY, drive, registered_renewable, request

pytestmark = pytest.mark.django_db


def _transitioned(world, clock, **overrides):
    """A CDM project whose renewable period would have run to 2027: it ends on 31 Dec 2025 under A6.4
    (STAN-AC-001 para 13(a)(ii), RuleSet.transition_renewable_end), two renewals carried over (13(b))."""
    transition = drive_transition(world, clock, create(world, clock, cdm_crediting_end=datetime.date(2027, 5, 31),
                                                       **overrides), TS.TRANSITIONED)
    return transition, Activity.objects.get(pk=transition.activity_id)


def _at(clock, day):
    clock.move_to(datetime.datetime.combine(day, datetime.time(9), tzinfo=datetime.UTC), tick=False)


def test_a_transitioned_activity_renews_within_a_year_of_its_transition_approval(world, time_machine):
    transition, activity = _transitioned(world, time_machine)
    assert activity.crediting_end == datetime.date(2025, 12, 31)
    approved = periods.transition_approved_on(transition)
    # PROC-AC-002 para 243: within one year of the SB's approval of the transition (rule set days),
    # not para 242's window around 31 Dec 2025 (renewal-2).
    _at(time_machine, datetime.date(2026, 1, 15))
    renewal = request(world, activity)
    assert renewal.transitioned is True
    assert (renewal.window_opens, renewal.window_closes) == (approved, approved + datetime.timedelta(days=365))
    renewal = drive(world, time_machine, renewal, S.RENEWED)
    activity = Activity.objects.get(pk=activity.pk)
    # Para 233 / STAN-AC-001 para 13(c): from 1 Jan 2026, five years like any A6.4 activity.
    assert (renewal.new_start, activity.crediting_end) == (datetime.date(2026, 1, 1), datetime.date(2030, 12, 31))
    # STAN-AC-001 para 13(b): the two CDM renewals carried over, one used.
    assert periods.renewals_left(activity, periods.rules()) == 1


def test_a_transitioned_activity_that_missed_its_year_is_not_renewed(world, time_machine):
    transition, activity = _transitioned(world, time_machine)
    approved = periods.transition_approved_on(transition)
    # Still within one year of the end (para 242 would allow it), but past para 243's year.
    late = approved + datetime.timedelta(days=366)
    assert late < activity.crediting_end + datetime.timedelta(days=365)
    _at(time_machine, late)
    with pytest.raises(ServiceError) as error:
        request(world, activity)
    assert error.value.code == "renewal_window_closed"


def test_a_transitioned_activity_without_renewals_left_is_not_renewed(world, time_machine):
    _transition, activity = _transitioned(world, time_machine, renewals_remaining=0)
    offer = available_actions(world.ama, activity).get("request_renewal")
    # activity_from_transition: no renewal left, so the host approval on file approves none.
    assert offer.blocked.code == "renewal_not_approved_by_host"


def _report(world, activity, start, end):
    return services.period_submit(activity=activity, user=world.ama, start=start, end=end,
                                  claims={start.year: 100}, report=f.pdf("monitoring.pdf"))


def test_monitoring_stops_at_the_crediting_period_in_force(world, advance_to, time_machine):
    activity = registered_renewable(world, advance_to)
    end = activity.crediting_end
    _at(time_machine, end + datetime.timedelta(days=40))
    services.activity_engage_doe(activity=activity, user=world.ama, doe=world.orgs["doe"], stage="verification")
    # A period past the end of a period not (yet) renewed is refused, with the renewal's deadline.
    with pytest.raises(ServiceError) as error:
        _report(world, activity, activity.crediting_start, end + datetime.timedelta(days=10))
    assert error.value.code == "period_after_crediting"
    assert error.value.params == {"crediting_end": end.isoformat(),
                                  "renewal_closes": (end + datetime.timedelta(days=365)).isoformat()}
    assert not activity.monitoring_periods.exists()
    # Renewed: the new period is credited, but a monitoring period lies inside one crediting period.
    drive(world, time_machine, request(world, activity), S.RENEWED)
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.crediting_end == end + relativedelta(years=5)
    _at(time_machine, end + datetime.timedelta(days=200))
    with pytest.raises(ServiceError) as error:
        _report(world, activity, activity.crediting_start, end + datetime.timedelta(days=10))
    assert error.value.code == "period_spans_crediting_periods"
    assert error.value.params == {"crediting_end": end.isoformat(), "next_start": (end + DAY).isoformat()}
    first = _report(world, activity, activity.crediting_start, end)
    second = _report(world, activity, end + DAY, end + datetime.timedelta(days=100))
    assert (first.number, second.number) == (1, 2)
    assert periods.crediting_periods(activity) == [
        (1, activity.crediting_start, end), (2, end + DAY, end + relativedelta(years=5)),
    ]
