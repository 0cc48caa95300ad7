"""A registered activity with holding accounts, and a helper that drives a monitoring period."""
import datetime

import pytest
import time_machine

from pacm.registry.models import Account, AccountKind
from projects import services
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import MonitoringPeriod
from projects.timers import timers_run
from tests import factories as f


def day_after(end):
    """A moment on the day after `end`: the first day a report on a period ending then may be submitted."""
    return datetime.datetime.combine(end + datetime.timedelta(days=1), datetime.time(9, 0), tzinfo=datetime.UTC)


def holding(org, number):
    return Account.objects.create(number=number, kind=AccountKind.HOLDING, name=f"{org.name} holding", organisation=org)


# The test's clock after registration: the day after the fourth yearly monitoring period ends,
# so the reports of periods 1-4 cover reductions already achieved (RMP 50-51).
PERIODS_OVER = 4


@pytest.fixture
def registered(world, activity, advance_to, time_machine):
    activity = advance_to(activity, A.REGISTERED)
    _, last_end = period_dates(activity, PERIODS_OVER)
    time_machine.move_to(day_after(last_end), tick=True)
    services.activity_engage_doe(activity=activity, user=world.ama, doe=world.orgs["doe"], stage="verification")
    world.acct = holding(world.orgs["dev"], "PACM-H-DEV-1")
    world.acct2 = holding(world.orgs["dev"], "PACM-H-DEV-2")
    world.foreign = holding(world.orgs["dev2"], "PACM-H-SAV-1")
    return activity


def period_dates(activity, number=1, days=365):
    start = activity.crediting_start + datetime.timedelta(days=days * (number - 1))
    return start, start + datetime.timedelta(days=days - 1)


@pytest.fixture
def period_over(time_machine):
    """Move the clock (forward only) to the day after `end`: the period is over, its report may come
    (RMP 50-51: a report covers reductions achieved; A6.4-PROC-AC-002 v03.0 para 174)."""

    def _over(end):
        from django.utils import timezone

        if timezone.localdate() <= end:
            time_machine.move_to(day_after(end), tick=True)

    return _over


@pytest.fixture
def submit(world, period_over):
    def _submit(activity, claims=None, number=1, user=None):
        start, end = period_dates(activity, number)
        claims = claims or {start.year: 30_000}
        period_over(end)
        return services.period_submit(
            activity=activity, user=user or world.ama, start=start, end=end, claims=claims,
            report=f.pdf("monitoring.pdf"),
        )

    return _submit


def jump_and_tick(obj):
    obj.refresh_from_db()
    with time_machine.travel(obj.due_at + datetime.timedelta(seconds=1), tick=False):
        return timers_run()


@pytest.fixture
def drive(world, django_capture_on_commit_callbacks):
    """Drive a period to `until`, issuing via the real on-commit task when `until` is ISSUED."""

    def _drive(period, until, *, units=None, lines=None, omge_rate=None, verified=None):
        steps = [
            (P.SUBMITTED, lambda p: services.period_start_verification(period=p, user=world.dora)),
            (P.UNDER_VERIFICATION, lambda p: (
                services.document_upload(activity=p.activity, user=world.dora, kind="verification_report",
                                         uploaded=f.pdf("ver.pdf"), period=p),
                services.period_certify(period=p, user=world.dora,
                                        verified=verified or {c.vintage: c.claimed for c in p.claims.all()}),
            )),
            (P.VERIFIED, lambda p: services.period_request_issuance(
                period=p, user=world.dora, units_requested=units or p.verified_total, omge_rate=omge_rate,
                lines=lines or [{"account": world.acct, "percent": "100"}],
            )),
            (P.ISSUANCE_REQUESTED, lambda p: (
                f.issuance_confirm(p, world.ama), _pay(world, p),
                services.period_start_issuance_checks(period=p, user=world.sam))),
            (P.ISSUANCE_CHECKS, lambda p: services.period_pass_issuance_checks(period=p, user=world.sam)),
            (P.ISSUANCE_REVIEW_WINDOW, lambda p: jump_and_tick(p)),
            (P.APPROVED, lambda p: _close_appeal(p, django_capture_on_commit_callbacks)),
        ]
        for state, step in steps:
            period = MonitoringPeriod.objects.get(pk=period.pk)
            if period.state == until:
                return period
            assert period.state == state, f"expected {state}, found {period.state}"
            step(period)
        period = MonitoringPeriod.objects.get(pk=period.pk)
        assert period.state == until, f"stopped at {period.state}"
        return period

    return _drive


@pytest.fixture
def awaiting_confirmation(world, registered, submit, drive):
    """The DOE's request (pacm issue 9), 60 % and 40 % to the participants' two accounts at a 3 % OMGE
    election, awaiting the participants' confirmation; the issuance fee still due."""
    return drive(submit(registered), P.ISSUANCE_REQUESTED, omge_rate="0.03",
                 lines=[{"account": world.acct, "percent": "60"}, {"account": world.acct2, "percent": "40"}])


def _pay(world, period):
    fee = period.fees.get(kind="issuance")
    if fee.status == "due":
        services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-ISS")


def _close_appeal(period, capture):
    with capture(execute=True):
        jump_and_tick(period)
