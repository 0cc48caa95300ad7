"""Renewal of a project's crediting period, step by step (A6.4-PROC-AC-002 v03.0 paras 231-250;
A6.4-STAN-AC-002 para 83, 161-162; docs/rules-coverage.md "Renewal of crediting periods")."""
import datetime
from decimal import Decimal

import pytest
from dateutil.relativedelta import relativedelta

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions
from projects import services
from projects.models import Activity
from projects.renewals import services as rs
from projects.renewals.cycle import RenewalState as S
from tests import factories as f

from .helpers import DAY, drive, fresh, last_sequence, registered_renewable, renewal_events, request, validate

pytestmark = pytest.mark.django_db


@pytest.fixture
def project(world, advance_to):
    return registered_renewable(world, advance_to)


def _to_window(clock, activity, days_before=100):
    clock.move_to(datetime.datetime.combine(activity.crediting_end - datetime.timedelta(days=days_before),
                                            datetime.time(9), tzinfo=datetime.UTC), tick=False)


def test_a_project_renews_its_crediting_period_end_to_end(world, project, time_machine):
    old_start, old_end = project.crediting_start, project.crediting_end
    _to_window(time_machine, project)
    since = last_sequence(project.stream)
    renewal = request(world, project)
    assert renewal.state == S.UNDER_VALIDATION and renewal.number == 1
    # PROC-AC-002 para 233: the new period starts the day after the old one ends; RMP 31(f),
    # STAN-AC-002 para 83(a)(i): five years (RuleSet.reductions_renewable_years).
    assert (renewal.new_start, renewal.new_end) == (old_end + DAY, old_end + DAY + relativedelta(years=5) - DAY)
    # Para 242: the window from 270 days before the end to one year after it (rule-set days).
    assert (renewal.window_opens, renewal.window_closes) == (old_end - datetime.timedelta(days=270),
                                                             old_end + datetime.timedelta(days=365))
    renewal = drive(world, time_machine, renewal, S.RENEWED)
    activity = Activity.objects.get(pk=project.pk)
    assert (activity.crediting_start, activity.crediting_end) == (old_start, renewal.new_end)
    # App.1 para 16: the registration tier of the updated estimate (45,000 t: tier 2 of rule set 2025-08).
    assert renewal.fee.kind == "renewal" and renewal.fee.amount_usd == Decimal("5000.00")
    assert renewal.fee.rule_set.version == "2025-08"
    assert renewal_events(project.stream, since) == [
        ("document.uploaded", None), ("renewal.requested", None),
        ("document.uploaded", None), ("renewal.transitioned", "validate_renewal"),
        ("fee.assessed", None), ("renewal.transitioned", "submit_renewal"),
        ("fee.paid", None), ("renewal.transitioned", "start_completeness_check"),
        ("renewal.transitioned", "pass_completeness_check"), ("renewal.transitioned", "pass_substantive_check"),
        ("renewal.transitioned", "approve_by_timer"), ("renewal.transitioned", "renew_after_appeal"),
    ]
    from pacm.events.models import Event

    renewed = Event.objects.filter(stream=project.stream, kind="renewal.transitioned").order_by("-sequence").first()
    assert renewed.actor_label == "timer:renew_after_appeal"
    # STAN-AC-002 para 83(a)(i): renewable at most twice (RuleSet.max_renewals): one left.
    assert renewed.payload == {
        "transition": "renew_after_appeal", "renewal": 1, "renewal_kind": "project", "subject": project.reference,
        "crediting_start": renewal.new_start.isoformat(), "crediting_end": renewal.new_end.isoformat(),
        "renewals_left": 1, "rule_set": "2025-08",
    }
    requested = Event.objects.get(stream=project.stream, kind="renewal.requested")
    assert requested.actor == world.ama and requested.payload["validation_doe"] == "Orbis Assurance"
    assert requested.payload["renewals_left"] == 2


def test_each_step_is_taken_only_by_its_actor(world, project, time_machine):
    _to_window(time_machine, project)
    for user in (world.kofi, world.dora, world.otto, world.dina, world.sam, world.sofia):
        with pytest.raises(Refused):
            request(world, project, user=user)
    renewal = request(world, project)
    # Para 239: the DOE the participants contracted validates; not the registration's DOE, not them.
    for user in (world.ama, world.kofi, world.dora, world.dina, world.sam, world.sofia):
        with pytest.raises(Refused):
            validate(world, renewal, user=user)
    assert available_actions(world.otto, renewal).names == {"validate_renewal", "decline_renewal", "withdraw"}
    assert available_actions(world.ama, renewal).names == {"withdraw"}
    assert available_actions(world.dora, renewal).names == set()
    renewal = validate(world, renewal)
    # Para 241: the DOE submits the request; the participants do not.
    for user in (world.ama, world.dora, world.sam):
        with pytest.raises(Refused):
            rs.renewal_submit(renewal=renewal, user=user)
    renewal = rs.renewal_submit(renewal=renewal, user=world.otto)
    # Paras 244-245: no check before the fee is paid.
    with pytest.raises(ServiceError) as error:
        rs.renewal_start_completeness_check(renewal=renewal, user=world.sam)
    assert error.value.code == "renewal_fee_due"
    with pytest.raises(Refused):
        services.fee_record_payment(fee=fresh(renewal).fee, user=world.otto, reference="WIRE")
    assert fresh(renewal).state == S.REQUESTED


def test_a_declined_validation_ends_the_renewal(world, project, time_machine):
    _to_window(time_machine, project)
    renewal = request(world, project)
    with pytest.raises(ServiceError) as error:
        rs.renewal_decline(renewal=renewal, user=world.otto)
    assert error.value.code == "reasons_required"
    renewal = rs.renewal_decline(renewal=renewal, user=world.otto, comment="The baseline is not updated.")
    assert renewal.state == S.NOT_VALIDATED
    # A new renewal may be requested: the declined one is closed.
    assert available_actions(world.ama, Activity.objects.get(pk=project.pk)).get("request_renewal").blocked is None


def test_the_request_is_refused_outside_its_window(world, project, time_machine):
    """PROC-AC-002 para 242: no earlier than 270 days before the end, no later than one year after."""
    _to_window(time_machine, project, days_before=300)
    renewal = validate(world, request(world, project))
    with pytest.raises(ServiceError) as error:
        rs.renewal_submit(renewal=renewal, user=world.otto)
    assert error.value.code == "renewal_window_not_open"
    assert error.value.params == {"opens": (project.crediting_end - datetime.timedelta(days=270)).isoformat(),
                                  "end": project.crediting_end.isoformat()}
    _to_window(time_machine, project, days_before=-366)
    with pytest.raises(ServiceError) as error:
        rs.renewal_submit(renewal=fresh(renewal), user=world.otto)
    assert error.value.code == "renewal_window_closed"
    assert fresh(renewal).state == S.VALIDATED and fresh(renewal).fee_id is None
    rs.renewal_withdraw(renewal=fresh(renewal), user=world.ama, comment="Too late.")
    # Past the window, no new renewal either: the crediting period may no longer be renewed.
    offer = available_actions(world.ama, Activity.objects.get(pk=project.pk)).get("request_renewal")
    assert offer.blocked.code == "renewal_window_closed"


def test_a_late_approval_still_starts_the_day_after_the_end(world, project, time_machine):
    """PROC-AC-002 paras 233, 248: the new period starts the day after expiry, however late."""
    _to_window(time_machine, project, days_before=-200)  # the period ended 200 days ago
    renewal = drive(world, time_machine, request(world, project), S.RENEWED)
    assert renewal.new_start == project.crediting_end + DAY


def test_a_fixed_period_and_a_host_without_renewal_approval_are_not_renewed(world, advance_to, time_machine):
    today = datetime.date.today()
    fixed = registered_renewable(world, advance_to, crediting_type="fixed",
                                 crediting_end=today - datetime.timedelta(days=31) + datetime.timedelta(days=3650))
    offer = available_actions(world.ama, fixed).get("request_renewal")
    assert offer.blocked.code == "renewal_fixed_period"
    not_approved = registered_renewable(world, advance_to, renewal_approved=False, title="Second landfill")
    with pytest.raises(ServiceError) as error:
        request(world, not_approved)
    assert error.value.code == "renewal_not_approved_by_host"


def test_renewals_are_counted_and_capped_by_the_rule_set(world, project, time_machine):
    """STAN-AC-002 para 83(a)(i): renewed at most twice (RuleSet.max_renewals)."""
    for number in (1, 2):
        activity = Activity.objects.get(pk=project.pk)
        _to_window(time_machine, activity)
        renewal = drive(world, time_machine, request(world, activity), S.RENEWED)
        assert renewal.number == number
    activity = Activity.objects.get(pk=project.pk)
    assert activity.crediting_end == project.crediting_end + relativedelta(years=10)
    _to_window(time_machine, activity)
    with pytest.raises(ServiceError) as error:
        request(world, activity)
    assert error.value.code == "renewals_exhausted" and error.value.params == {"allowed": 2}


def test_the_sb_reviews_and_rejects_a_renewal(world, project, time_machine):
    _to_window(time_machine, project)
    renewal = drive(world, time_machine, request(world, project), S.REVIEW_WINDOW)
    # PROC-AC-002 para 247 (section 5.1.3): the host's DNA requests review; another Party's may not.
    with pytest.raises(Refused):
        rs.renewal_request_review(renewal=renewal, user=world.nils, comment="Review.")
    renewal = rs.renewal_request_review(renewal=renewal, user=world.dina, comment="The baseline looks stale.")
    assert renewal.state == S.UNDER_REVIEW
    # Only the Board decides; a single SB member may not (RMP 22).
    with pytest.raises(Refused):
        rs.renewal_reject(renewal=renewal, user=world.sofia, comment="No.")
    rs.renewal_board_decision_record(renewal=renewal, user=world.sam, transition="reject", meeting="SBM019",
                                     agenda_item="4.2", comment="The downward adjustment is not applied.")
    assert fresh(renewal).state == S.REJECTED
    assert Activity.objects.get(pk=project.pk).crediting_end == project.crediting_end
    # App.1 paras 17, 7(d): the paid renewal fee of a rejected request is not reimbursed (refund-1).
    assert renewal_events(project.stream, last_sequence(project.stream) - 3) == [
        ("board.decided", None), ("fee.refund_due", None), ("renewal.transitioned", "reject"),
    ]


@pytest.mark.parametrize("field, value, code", [
    ("baseline_update", "   ", "invalid"),
    ("additionality_update", "bad\x00text", "invalid"),
    ("estimated_annual", 10**12, None),
    ("validation_doe", None, "renewal_doe_required"),
])
def test_bad_input_is_a_clear_error_and_writes_nothing(world, project, time_machine, field, value, code):
    from pacm.events.models import Event
    from projects.renewals.models import RenewalRequest

    _to_window(time_machine, project)
    before = Event.objects.count()
    kwargs = dict(subject=project, user=world.ama, validation_doe=world.orgs["doe2"], baseline_update="Updated.",
                  additionality_update="", estimated_annual=40_000, design=f.pdf("pdd-v2.pdf"))
    kwargs[field] = value
    with pytest.raises(ServiceError) as error:
        rs.renewal_request(**kwargs)
    assert error.value.field == field
    if code:
        assert error.value.code == code
    assert not RenewalRequest.objects.exists() and Event.objects.count() == before


def test_a_doe_not_accredited_for_the_scope_is_refused(world, project, time_machine):
    """PROC-AC-002 para 238: any DOE accredited in the relevant sectoral scope."""
    from pacm.parties.models import Organisation

    _to_window(time_machine, project)
    stranger = f.organisation("Unaccredited DOE", Organisation.Kind.DOE)
    with pytest.raises(ServiceError) as error:
        request(world, project, doe=stranger)
    assert error.value.code == "renewal_doe_not_accredited"
