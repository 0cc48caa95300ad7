"""Builders for the CDM transition tests: a request's data and a driver through its machine."""
import datetime

from django.utils import timezone

from pacm.engine.timers import timers_run
from projects.transition import services as ts
from projects.transition.cycle import TransitionState as S
from projects.transition.models import TransitionRequest

UTC = datetime.UTC
# A request made before the deadline of PROC-AC-001 v06.0 para 12 (31 Dec 2023).
REQUESTED_AT = datetime.datetime(2023, 6, 1, 9, 0, tzinfo=UTC)
# Host approval before the CMA7 deadline (30 Jun 2026), documentation before 31 Dec 2026.
HOST_APPROVES_AT = datetime.datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def request_data(world, **overrides):
    """A CDM project whose crediting period was active on 1 Jan 2021 (STAN-AC-001 v05.0 para 11)."""
    version = world.version
    data = dict(
        cdm_reference="10077", title="Titas gas distribution leakage reduction", host_party=world.host,
        methodology_version=version, sectoral_scope=version.methodology.sectoral_scopes.first(),
        location="Dhaka", estimated_annual=40_000, start_date=datetime.date(2014, 1, 1),
        crediting_type="renewable", cdm_crediting_start=datetime.date(2014, 6, 1),
        cdm_crediting_end=datetime.date(2021, 5, 31), renewals_remaining=2,
    )
    data.update(overrides)
    return data


def fresh(request):
    return TransitionRequest.objects.get(pk=request.pk)


def jump(clock, request):
    """Move the clock past the request's due date and run one timer pass there."""
    request = fresh(request)
    clock.move_to(request.due_at + datetime.timedelta(seconds=1), tick=False)
    timers_run()
    return fresh(request)


def drive(world, clock, request, until):
    """Take `request` through its machine with the right people until it reaches `until`."""
    steps = [
        (S.REQUESTED, lambda r: ts.transition_request_publish(request=r, user=world.sam)),
        (S.CONSULTATION, lambda r: jump(clock, r)),
        (S.AWAITING_HOST, lambda r: (
            clock.move_to(HOST_APPROVES_AT, tick=False),
            ts.transition_request_approve_transition(request=r, user=world.dina, sd_confirmation="Fosters SD.",
                                                     ndc_relation="Within the NDC."),
        )),
        (S.HOST_APPROVED, lambda r: ts.transition_request_submit_documentation(
            request=r, user=world.ama, documentation="addendum", summary="Addendum, AM0023 kept.", fnrb="0.8430",
            leakage_factor="0.95")),
        (S.DOCUMENTATION_SUBMITTED, lambda r: (
            r.fee_status == "due" and ts.transition_request_record_fee_payment(request=r, user=world.sam,
                                                                               reference="WIRE-T1"),
            ts.transition_request_start_completeness_check(request=fresh(r), user=world.sam),
        )),
        (S.COMPLETENESS, lambda r: ts.transition_request_pass_completeness_check(request=r, user=world.sam)),
        (S.SUBSTANTIVE, lambda r: ts.transition_request_pass_substantive_check(request=r, user=world.sam)),
        (S.REVIEW_WINDOW, lambda r: jump(clock, r)),
        (S.APPROVED, lambda r: (
            ts.transition_request_record_cdm_deregistration(request=r, user=world.sam,
                                                            date=timezone.localdate()),
            jump(clock, r),
        )),
    ]
    order = [state for state, _ in steps]
    current = fresh(request).state
    steps = steps[order.index(current):] if current in order else steps
    for state, step in steps:
        request = fresh(request)
        if request.state == until:
            return request
        assert request.state == state, f"expected {state}, found {request.state}"
        step(request)
    request = fresh(request)
    assert request.state == until, f"could not reach {until}; stopped at {request.state}"
    return request


def create(world, clock, **overrides):
    clock.move_to(REQUESTED_AT, tick=False)
    return ts.transition_request_create(user=world.ama, **request_data(world, **overrides))
