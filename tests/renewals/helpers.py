"""Builders for the renewal tests: a registered project whose host approved renewal, a driver
through the renewal machine, and the exact events a renewal records.

Personas as in tests/conftest.py: ama (participant), kofi (another participant), dora (the
registration's DOE), otto (Orbis, the DOE contracted for the renewal), dina (Ghana's DNA), nils
(Kenya's DNA), sam (secretariat), sofia (SB member).
"""
import datetime

from pacm.engine.timers import timers_run
from pacm.events.models import Event
from projects import services
from projects.cycle import ActivityState as A
from projects.models import Activity
from projects.renewals import services as rs
from projects.renewals.cycle import RenewalState as S
from tests import factories as f

DAY = datetime.timedelta(days=1)


def registered_renewable(world, advance_to, *, renewal_approved=True, **pdd):
    """A project registered with the host's approval of renewal (A6.4-PROC-AC-002 para 24(b), 231)."""
    activity = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version, **pdd))
    activity = advance_to(activity, A.VALIDATED)
    services.host_approval_issue(activity=activity, user=world.dina, sd_confirmation="Fosters SD.",
                                 ndc_relation="Within NDC scope.", authorized_participants=[world.orgs["dev"]],
                                 renewal_approved=renewal_approved)
    services.authorization_statement_issue(activity=activity, user=world.dina, uses="ndc",
                                           effective_from=datetime.date(2021, 1, 1))
    services.activity_request_registration(activity=activity, user=world.dora)
    activity = Activity.objects.get(pk=activity.pk)
    fee = activity.fees.get(kind="registration")
    if fee.status == "due":
        services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-001")
    services.activity_start_completeness_check(activity=activity, user=world.sam)
    services.activity_pass_completeness_check(activity=activity, user=world.sam)
    services.activity_pass_information_check(activity=activity, user=world.sam)
    return windows_pass(activity)


def windows_pass(subject):
    """PROC-AC-002 paras 88-89: the review window closes (deemed approved), then the appeal window:
    registered. Each pass at the row's due date, then back to the present."""
    import time_machine

    model = type(subject)
    for _window in ("review", "appeal"):
        subject = model.objects.get(pk=subject.pk)
        with time_machine.travel(subject.due_at + datetime.timedelta(seconds=1), tick=False):
            timers_run()
    subject = model.objects.get(pk=subject.pk)
    assert subject.state == A.REGISTERED
    return subject


def fresh(renewal):
    return type(renewal).objects.get(pk=renewal.pk)


def jump(clock, obj):
    """Past the row's due date, one timer pass there."""
    obj = type(obj).objects.get(pk=obj.pk)
    clock.move_to(obj.due_at + datetime.timedelta(seconds=1), tick=False)
    timers_run()
    return type(obj).objects.get(pk=obj.pk)


def request(world, subject, *, user=None, doe=None, estimate=45_000):
    return rs.renewal_request(
        subject=subject, user=user or world.ama, validation_doe=doe or world.orgs["doe2"],
        baseline_update="Baseline updated; downward adjustment 2 % a year.",
        additionality_update="Regulatory analysis updated: no new law requires the flaring.",
        estimated_annual=estimate, design=f.pdf("pdd-v2.pdf", content=f.pdf_bytes("PDD for renewal")),
    )


def validate(world, renewal, user=None):
    return rs.renewal_validate(renewal=renewal, user=user or world.otto,
                               report=f.pdf("vr-renewal.pdf", content=f.pdf_bytes("VR for renewal")))


def drive(world, clock, renewal, until):
    """Take `renewal` through its machine with the right people until it reaches `until`."""
    steps = [
        (S.UNDER_VALIDATION, lambda r: validate(world, r)),
        (S.VALIDATED, lambda r: rs.renewal_submit(renewal=r, user=world.otto)),
        (S.REQUESTED, lambda r: (
            r.fee.status == "due" and services.fee_record_payment(fee=r.fee, user=world.sam, reference="WIRE-R1"),
            rs.renewal_start_completeness_check(renewal=fresh(r), user=world.sam),
        )),
        (S.COMPLETENESS, lambda r: rs.renewal_pass_completeness_check(renewal=r, user=world.sam)),
        (S.SUBSTANTIVE, lambda r: rs.renewal_pass_substantive_check(renewal=r, user=world.sam)),
        (S.REVIEW_WINDOW, lambda r: jump(clock, r)),
        (S.APPROVED, lambda r: jump(clock, r)),
    ]
    order = [state for state, _ in steps]
    current = fresh(renewal).state
    steps = steps[order.index(current):] if current in order else steps
    for state, step in steps:
        renewal = fresh(renewal)
        if renewal.state == until:
            return renewal
        assert renewal.state == state, f"expected {state}, found {renewal.state}"
        step(renewal)
    renewal = fresh(renewal)
    assert renewal.state == until, f"could not reach {until}; stopped at {renewal.state}"
    return renewal


def renewal_events(stream, since=0):
    """(kind, transition or None) of the stream's events after sequence `since`."""
    rows = Event.objects.filter(stream=stream, sequence__gt=since).order_by("sequence").values_list("kind", "payload")
    return [(kind, payload.get("transition")) for kind, payload in rows]


def last_sequence(stream):
    return Event.objects.filter(stream=stream).order_by("-sequence").values_list("sequence", flat=True).first() or 0

