"""The issuance deadline of a CP's crediting period (A6.4-PROC-AC-003 v03.0 para 221): requests for
issuance for a crediting period of a CP are submitted within two years after its end
(RuleSet.cp_issuance_request_years); a later submission gets no A6.4ERs for that period. Frozen clock."""
import datetime

import pytest
from dateutil.relativedelta import relativedelta

from pacm.common.errors import ServiceError
from pacm.events.models import Event
from projects import services
from projects.cycle import PeriodState as P
from projects.models import MonitoringPeriod
from projects.poa.issuance import cp_issuance_deadline_problem

from .issuance_world import batch, drive, poa_world  # noqa: F401  (poa_world: the fixture pw)


def _request(world, period):
    return services.period_request_issuance(period=MonitoringPeriod.objects.get(pk=period.pk), user=world.dora,
                                            units_requested=period.verified_total,
                                            lines=[{"account": "PACM-H-CME-1", "percent": "100"}])


def _verified(world, pw, capture):
    period = batch(world, pw, {"gh": {pw.y1: 10_000}})
    return drive(world, period, P.VERIFIED, capture)


def test_a_request_on_the_last_day_is_taken(world, pw, time_machine, django_capture_on_commit_callbacks):
    period = _verified(world, pw, django_capture_on_commit_callbacks)
    cp = pw.cps["gh"]
    last_day = cp.crediting_end + relativedelta(years=2)
    time_machine.move_to(datetime.datetime.combine(last_day, datetime.time(12, 0), tzinfo=datetime.UTC), tick=False)
    assert cp_issuance_deadline_problem(period) is None
    _request(world, period)
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.ISSUANCE_REQUESTED


def test_a_request_after_two_years_is_refused_and_changes_nothing(world, pw, time_machine,
                                                                   django_capture_on_commit_callbacks):
    period = _verified(world, pw, django_capture_on_commit_callbacks)
    cp = pw.cps["gh"]
    late = cp.crediting_end + relativedelta(years=2) + datetime.timedelta(days=1)
    time_machine.move_to(datetime.datetime.combine(late, datetime.time(12, 0), tzinfo=datetime.UTC), tick=False)
    events = Event.objects.count()
    with pytest.raises(ServiceError) as error:
        _request(world, period)
    assert error.value.code == "cp_issuance_deadline_passed"
    assert cp.reference in error.value.message and "para 221" in error.value.message
    assert error.value.params["deadline"] == (cp.crediting_end + relativedelta(years=2)).isoformat()
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.VERIFIED
    assert Event.objects.count() == events and not period.fees.exists()


def test_the_deadline_is_rule_set_data(world, pw, time_machine, django_capture_on_commit_callbacks):
    """A rule set with three years moves the deadline without code (footnote 23: the SB may set another)."""
    from methodologies.models import RuleSet

    period = _verified(world, pw, django_capture_on_commit_callbacks)
    cp = pw.cps["gh"]
    late = cp.crediting_end + relativedelta(years=2) + datetime.timedelta(days=1)
    time_machine.move_to(datetime.datetime.combine(late, datetime.time(12, 0), tzinfo=datetime.UTC), tick=False)
    assert cp_issuance_deadline_problem(period).code == "cp_issuance_deadline_passed"
    RuleSet.objects.in_force(late).__class__.objects.filter(pk=RuleSet.objects.in_force(late).pk).update(
        cp_issuance_request_years=3)
    assert cp_issuance_deadline_problem(period) is None
