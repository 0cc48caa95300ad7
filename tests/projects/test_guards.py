"""The named guards of the cycle (projects.guards), each at its boundary, with a frozen clock.

A guard that fails is a ServiceError with a clear message (not Refused: the person may act, the
activity is not ready), and nothing changes. Fee guards are in test_fees.py.
"""
import datetime
from decimal import Decimal

import pytest
import time_machine

from methodologies.models import MethodologyVersion, RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.parties.models import DOEAccreditation, Organisation
from projects import services
from projects.cycle import ActivityState as A
from projects.models import Activity

from .. import factories as f
from .support import snapshot

D = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


def _refused_by_guard(call, activity, match):
    """The call fails with a guard's message and leaves everything as it was."""
    before = snapshot(activity)
    with pytest.raises(ServiceError, match=match) as error:
        call()
    assert not isinstance(error.value, Refused)
    assert snapshot(activity) == before


# --- prior consideration (rules.md §2.3 S0->S1; policy.md §3) ---------------------------------

def _started(world, start):
    return services.activity_create(
        user=world.ama,
        **f.pdd_data(world.host, world.version, start_date=start, crediting_start=start,
                     crediting_end=start + datetime.timedelta(days=365 * 4)),
    )


@pytest.mark.parametrize("late", [False, True])
def test_prior_consideration_within_the_window_only(world, late):
    with time_machine.travel(D, tick=False):
        start = D.date() - datetime.timedelta(days=10)
        activity = _started(world, start)
    deadline = start + datetime.timedelta(days=RuleSet.objects.in_force(D.date()).prior_consideration_days)
    day = deadline + datetime.timedelta(days=1) if late else deadline
    with time_machine.travel(datetime.datetime.combine(day, datetime.time(23, 59), tzinfo=datetime.UTC),
                             tick=False):
        call = lambda: services.activity_notify_prior_consideration(activity=activity, user=world.ama)  # noqa: E731
        if late:
            _refused_by_guard(call, activity, f"within .* days of the start date \\(by {deadline}\\)")
        else:
            call()
            assert Activity.objects.get(pk=activity.pk).state == A.PRIOR_CONSIDERATION


def test_prior_consideration_window_comes_from_the_rule_set(world):
    with time_machine.travel(D, tick=False):
        activity = _started(world, D.date() - datetime.timedelta(days=10))
        RuleSet.objects.create(version="short-window", effective_from=datetime.date(2026, 1, 1),
                               prior_consideration_days=9)
        _refused_by_guard(
            lambda: services.activity_notify_prior_consideration(activity=activity, user=world.ama), activity,
            "within 9 days",
        )


def test_host_that_does_not_participate_is_refused(world, activity):
    """RMP 26: no DNA designated (or no NDC, SD contribution, activity types): no notification."""
    world.host.dna_designated = False
    world.host.save()
    _refused_by_guard(
        lambda: services.activity_notify_prior_consideration(activity=activity, user=world.ama), activity,
        "participation requirements",
    )


# --- DOE accreditation (rules.md §1) ----------------------------------------------------------

def _engaged(world, activity, advance_to, doe):
    activity = advance_to(activity, A.PRIOR_CONSIDERATION)
    services.activity_engage_doe(activity=activity, user=world.ama, doe=doe)
    return Activity.objects.get(pk=activity.pk)


def test_doe_not_accredited_for_the_scope_is_refused(world, activity, advance_to):
    """Issue 11: a DOE is engaged only if accredited for the activity's scope on that day; the
    acceptance checks it again (rules.md §2.3 S1->S2)."""
    narrow = f.organisation("Narrow Assurance", Organisation.Kind.DOE)
    f.accredit(narrow, 1)
    activity = advance_to(activity, A.PRIOR_CONSIDERATION)
    _refused_by_guard(
        lambda: services.activity_engage_doe(activity=activity, user=world.ama, doe=narrow), activity,
        "not accredited for sectoral scope 13",
    )
    assert Activity.objects.get(pk=activity.pk).validation_doe_id is None


@pytest.mark.parametrize("day,ok", [(datetime.date(2026, 3, 1), True), (datetime.date(2026, 3, 2), False)])
def test_doe_accreditation_expiry(world, activity, advance_to, day, ok):
    activity = _engaged(world, activity, advance_to, world.orgs["doe"])  # while its accreditation is valid
    DOEAccreditation.objects.filter(organisation=world.orgs["doe"]).update(valid_to=datetime.date(2026, 3, 1))
    noon = datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)
    with time_machine.travel(noon, tick=False):
        call = lambda: services.activity_accept_engagement(activity=activity, user=world.dora)  # noqa: E731
        if ok:
            call()
            assert Activity.objects.get(pk=activity.pk).state == A.VALIDATION_CONTRACTED
        else:
            _refused_by_guard(call, activity, "not accredited")


def test_doe_accreditation_not_yet_valid(world, activity, advance_to):
    activity = _engaged(world, activity, advance_to, world.orgs["doe"])  # while its accreditation is valid
    DOEAccreditation.objects.filter(organisation=world.orgs["doe"]).update(valid_from=datetime.date(2099, 1, 1))
    _refused_by_guard(lambda: services.activity_accept_engagement(activity=activity, user=world.dora), activity,
                      "not accredited")


def test_an_organisation_that_is_not_a_doe_cannot_be_engaged(world, activity):
    before = snapshot(activity)
    with pytest.raises(ServiceError, match="designated operational entity"):
        services.activity_engage_doe(activity=activity, user=world.ama, doe=world.orgs["dev2"])
    assert snapshot(activity) == before


def test_doe_can_be_changed_only_before_it_accepts(world, activity, advance_to):
    activity = advance_to(activity, A.VALIDATION_CONTRACTED)
    before = snapshot(activity)
    with pytest.raises(Refused):
        services.activity_engage_doe(activity=activity, user=world.ama, doe=world.orgs["doe2"])
    assert snapshot(activity) == before


# --- publication for consultation (RMP 32) ----------------------------------------------------

def test_publication_needs_the_pdd_document(world, activity, advance_to):
    activity = advance_to(activity, A.VALIDATION_CONTRACTED)
    _refused_by_guard(lambda: services.activity_publish_for_consultation(activity=activity, user=world.dora),
                      activity, "Upload the PDD")
    # Another document does not stand in for the PDD.
    services.document_upload(activity=activity, user=world.ama, kind="sd_report", uploaded=f.pdf("sd.pdf"))
    _refused_by_guard(lambda: services.activity_publish_for_consultation(activity=activity, user=world.dora),
                      activity, "Upload the PDD")


@pytest.mark.parametrize("status", [MethodologyVersion.Status.ON_HOLD, MethodologyVersion.Status.WITHDRAWN])
def test_publication_refused_when_the_methodology_is_no_longer_approved(world, activity, advance_to, status):
    activity = advance_to(activity, A.VALIDATION_CONTRACTED)
    services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
    MethodologyVersion.objects.filter(pk=world.version.pk).update(status=status)
    _refused_by_guard(lambda: services.activity_publish_for_consultation(activity=activity, user=world.dora),
                      activity, "not an approved methodology version")


def test_publication_refused_after_the_methodology_version_expired(world, activity, advance_to):
    activity = advance_to(activity, A.VALIDATION_CONTRACTED)
    services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf("pdd.pdf"))
    MethodologyVersion.objects.filter(pk=world.version.pk).update(valid_to=datetime.date(2026, 3, 1))
    with time_machine.travel(D, tick=False):
        _refused_by_guard(lambda: services.activity_publish_for_consultation(activity=activity, user=world.dora),
                          activity, "not an approved methodology version on 2026-03-02")


# --- positive validation (policy.md §4: every CAR and CL closed) ------------------------------

@pytest.fixture
def under_validation(world, activity, advance_to):
    activity = advance_to(activity, A.UNDER_VALIDATION)
    services.document_upload(activity=activity, user=world.dora, kind="validation_report", uploaded=f.pdf("vr.pdf"))
    return Activity.objects.get(pk=activity.pk)


@pytest.mark.parametrize("kind", ["car", "cl"])
@pytest.mark.parametrize("status", ["open", "answered"])
def test_validation_refused_while_a_car_or_cl_is_not_closed(world, under_validation, kind, status):
    activity = under_validation
    finding = services.finding_raise(activity=activity, user=world.dora, kind=kind, text="Baseline source?")
    if status == "answered":
        services.finding_answer(finding=finding, user=world.ama, response="See annex 2.")
    _refused_by_guard(lambda: services.activity_validate(activity=activity, user=world.dora), activity,
                      "1 corrective action or clarification request")
    services.finding_close(finding=finding, user=world.dora, comment="Resolved.")
    services.activity_validate(activity=activity, user=world.dora)
    assert Activity.objects.get(pk=activity.pk).state == A.VALIDATED


def test_validation_allowed_with_only_a_forward_action_request_open(world, under_validation):
    services.finding_raise(activity=under_validation, user=world.dora, kind="far", text="Monitor the flare.")
    services.activity_validate(activity=under_validation, user=world.dora)
    assert Activity.objects.get(pk=under_validation.pk).state == A.VALIDATED


def test_validation_needs_the_validation_report(world, activity, advance_to):
    activity = advance_to(activity, A.UNDER_VALIDATION)
    _refused_by_guard(lambda: services.activity_validate(activity=activity, user=world.dora), activity,
                      "Upload the validation report")


@pytest.fixture
def removals_activity(world):
    """An A/R activity: removals methodology, scope 14, renewable 15-year crediting period."""
    version = f.methodology_version("A6.4-AR-TEST", kind="removals", scope_number=14)
    f.accredit(world.orgs["doe"], 14)
    return services.activity_create(user=world.ama, **f.pdd_data(world.host, version))


def _removals_under_validation(world, activity, advance_to):
    activity = advance_to(activity, A.UNDER_VALIDATION)
    services.document_upload(activity=activity, user=world.dora, kind="validation_report", uploaded=f.pdf("vr.pdf"))
    return Activity.objects.get(pk=activity.pk)


def test_removals_validation_needs_a_risk_rating(world, removals_activity, advance_to):
    """A6.4-STAN-METH-002 paras 38-40: the participants' percentage rating and its risk assessment are
    part of the design document; the DOE validates them with its opinion (a flag in the event)."""
    activity = _removals_under_validation(world, removals_activity, advance_to)
    _refused_by_guard(lambda: services.activity_validate(activity=activity, user=world.dora, risk_rating_accepted=True),
                      activity, "percentage risk rating")
    Activity.objects.filter(pk=activity.pk).update(risk_rating_percent=Decimal("12.5"))  # set-up: the PDD's rating
    _refused_by_guard(lambda: services.activity_validate(activity=activity, user=world.dora, risk_rating_accepted=True),
                      activity, "Upload the reversal risk assessment")
    services.document_upload(activity=activity, user=world.ama, kind="risk_assessment", uploaded=f.pdf("risk.pdf"))
    _refused_by_guard(lambda: services.activity_validate(activity=activity, user=world.dora), activity,
                      "Confirm that you validate")
    services.activity_validate(activity=activity, user=world.dora, risk_rating_accepted=True)
    after = Activity.objects.get(pk=activity.pk)
    assert after.state == A.VALIDATED and after.risk_rating_percent == Decimal("12.5")
    assert after.risk_validated_at is not None
    event = after.events.order_by("-sequence").first()
    version = after.documents.get(kind="risk_assessment").latest
    due = after.crediting_start.replace(year=after.crediting_start.year + 5)
    assert {k: event.payload[k] for k in ("risk_rating", "risk_negligible", "risk_rating_validated",
                                         "risk_assessment_document", "next_risk_revision_due")} == {
        "risk_rating": "12.50", "risk_negligible": False, "risk_rating_validated": True,
        "risk_assessment_document": {"id": version.pk, "version": 1, "sha256": version.sha256},
        "next_risk_revision_due": due.isoformat(),
    }
    # The history: the design document's assessment, validated, and the five-yearly revision scheduled.
    rows = list(after.risk_assessments.values_list("number", "reason", "state", "rating_percent", "revision_due"))
    assert rows == [(0, "initial", "validated", Decimal("12.50"), None), (1, "periodic", "scheduled", None, due)]


def test_reversal_risk_reductions_need_a_risk_rating_too(world, advance_to):
    version = f.methodology_version("A6.4-SOIL-TEST", kind="reductions", reversal_risk=True)
    activity = services.activity_create(user=world.ama, **f.pdd_data(world.host, version))
    activity = _removals_under_validation(world, activity, advance_to)
    _refused_by_guard(lambda: services.activity_validate(activity=activity, user=world.dora), activity,
                      "risk rating")


def test_reductions_without_reversal_risk_need_no_rating(world, under_validation):
    services.activity_validate(activity=under_validation, user=world.dora)
    assert Activity.objects.get(pk=under_validation.pk).risk_rating == ""


# --- registration request (RMP 40, 42, 47) ----------------------------------------------------

def test_registration_request_needs_the_host_approval(world, activity, advance_to):
    activity = advance_to(activity, A.VALIDATED)
    services.authorization_statement_issue(activity=activity, user=world.dina, uses="ndc",
                                           effective_from=datetime.date(2021, 1, 1))
    _refused_by_guard(lambda: services.activity_request_registration(activity=activity, user=world.dora), activity,
                      "approval is not on file")


def test_registration_request_needs_the_authorization_statement(world, activity, advance_to, approve_host, settings):
    settings.PACM_REQUIRE_AUTHORIZATION_STATEMENT_FOR_REGISTRATION = True
    activity = advance_to(activity, A.VALIDATED)
    approve_host(activity, statement=False)
    _refused_by_guard(lambda: services.activity_request_registration(activity=activity, user=world.dora), activity,
                      "authorization statement is not on file")


def test_registration_request_without_statement_when_the_setting_is_off(world, activity, advance_to, approve_host,
                                                                         settings):
    settings.PACM_REQUIRE_AUTHORIZATION_STATEMENT_FOR_REGISTRATION = False
    activity = advance_to(activity, A.VALIDATED)
    approve_host(activity, statement=False)
    services.activity_request_registration(activity=activity, user=world.dora)
    assert Activity.objects.get(pk=activity.pk).state == A.REGISTRATION_REQUESTED


def test_resubmission_after_an_incomplete_return_does_not_charge_again(world, activity, reach):
    """7/CMA.4 annex I para 51: one registration fee per request, not per resubmission."""
    activity = reach(activity, A.REQUEST_INCOMPLETE)
    services.activity_resubmit_registration(activity=activity, user=world.dora, comment="Annex 3 added.")
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.state == A.REGISTRATION_REQUESTED
    assert activity.fees.filter(kind="registration").count() == 1
    services.activity_start_completeness_check(activity=activity, user=world.sam)
    assert Activity.objects.get(pk=activity.pk).state == A.COMPLETENESS_CHECK


def test_activities_started_before_2024_had_the_transitional_deadline(world):
    """rules.md §2.3 S0->S1 [U]: started before 31 Dec 2023 -> notify by 30 Jun 2024."""
    start = datetime.date(2023, 11, 1)  # start + 180 days would be 29 Apr 2024
    at = lambda day: time_machine.travel(  # noqa: E731
        datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC), tick=False)
    with at(datetime.date(2023, 11, 2)):
        early = _started(world, start)
        late = _started(world, start)
    with at(datetime.date(2024, 6, 30)):
        services.activity_notify_prior_consideration(activity=early, user=world.ama)
    with at(datetime.date(2024, 7, 1)):
        _refused_by_guard(lambda: services.activity_notify_prior_consideration(activity=late, user=world.ama),
                          late, "before 2023-12-31 had to notify prior consideration by 2024-06-30")
    assert Activity.objects.get(pk=early.pk).state == A.PRIOR_CONSIDERATION
