"""The buttons of the cycle: only those the user may press now, one generic POST view."""

from decimal import Decimal

import pytest
from django.urls import reverse

from pacm.events.models import Event, EventKind
from projects import services
from projects.cycle import ActivityState as A
from projects.models import Activity

from .. import factories as f
from .conftest import do_url, page_url, transition_buttons


def state_of(activity):
    return Activity.objects.get(pk=activity.pk).state


def test_participant_sees_only_the_participant_buttons_of_a_draft(as_user, world, activity):
    html = as_user(world.ama).get(page_url(activity)).content.decode()
    assert transition_buttons(html) == {"notify_prior_consideration": False, "withdraw": False}


def test_people_without_a_role_here_see_no_button(as_user, world, published):
    for user in (world.kofi, world.otto, world.nils, None):
        html = as_user(user).get(page_url(published)).content.decode()
        assert transition_buttons(html) == {}, user


def test_blocked_button_is_disabled_with_the_guard_message(as_user, world, activity, advance_to):
    activity = advance_to(activity, A.UNDER_VALIDATION)
    html = as_user(world.dora).get(page_url(activity)).content.decode()
    assert transition_buttons(html) == {"validate": True}
    assert "Upload the validation report first." in html
    # The participant sees only withdraw at this stage.
    assert transition_buttons(as_user(world.ama).get(page_url(activity)).content.decode()) == {"withdraw": False}


def test_secretariat_buttons_wait_for_the_fee(as_user, world, activity, advance_to):
    """7/CMA.4 annex I para 56: processing starts only once the fee is paid."""
    activity = advance_to(activity, A.REGISTRATION_REQUESTED)
    html = as_user(world.sam).get(page_url(activity)).content.decode()
    assert transition_buttons(html) == {"start_completeness_check": True}
    assert "The registration fee has not been recorded as paid." in html


def test_a_good_transition_fires_through_the_service(as_user, world, activity):
    response = as_user(world.ama).post(
        do_url(activity, "notify_prior_consideration"), {"t-notify_prior_consideration-comment": "On time."}
    )
    assert response.status_code == 302 and response.url == page_url(activity)
    assert state_of(activity) == A.PRIOR_CONSIDERATION
    event = Event.objects.get(stream=activity.stream, kind=EventKind.ACTIVITY_TRANSITIONED)
    assert (event.actor, event.from_state, event.to_state, event.comment) == (
        world.ama,
        A.DRAFT,
        A.PRIOR_CONSIDERATION,
        "On time.",
    )


@pytest.mark.parametrize(
    "who, name",
    [
        ("ama", "validate"),  # a DOE's transition
        ("ama", "start_completeness_check"),  # the secretariat's
        ("sofia", "reject"),  # the SB's, on a draft it cannot even see -> 404 below
    ],
)
def test_a_transition_for_someone_else_is_refused(as_user, world, activity, who, name):
    response = as_user(getattr(world, who)).post(do_url(activity, name), {f"t-{name}-comment": "x"})
    assert response.status_code == (404 if who == "sofia" else 403)
    assert state_of(activity) == A.DRAFT


def test_a_transition_not_possible_from_this_state_is_409(as_user, world, activity):
    """A conflict with the present state (pacm issue 9: the stale page), not a denial."""
    services.activity_notify_prior_consideration(activity=activity, user=world.ama)
    response = as_user(world.ama).post(do_url(activity, "notify_prior_consideration"))
    assert response.status_code == 409
    assert "is not possible while" in response.content.decode()
    assert state_of(activity) == A.PRIOR_CONSIDERATION


def test_doe_not_engaged_cannot_accept(as_user, world, activity):
    services.activity_notify_prior_consideration(activity=activity, user=world.ama)
    services.activity_engage_doe(activity=activity, user=world.ama, doe=world.orgs["doe"])
    assert as_user(world.otto).post(do_url(activity, "accept_engagement")).status_code == 404
    assert state_of(activity) == A.PRIOR_CONSIDERATION


@pytest.mark.parametrize("name", ["close_consultation", "register_by_timer", "no_such_thing"])
def test_timer_and_unknown_transitions_are_not_buttons(as_user, world, published, name):
    assert as_user(world.sofia).post(do_url(published, name)).status_code == 404
    assert state_of(published) == A.CONSULTATION


def test_reasons_are_required_where_the_cycle_needs_them(as_user, world, activity):
    client = as_user(world.ama)
    response = client.post(do_url(activity, "withdraw"), {"t-withdraw-comment": "  "}, follow=True)
    assert "Withdraw the activity: Reasons: This field is required." in response.content.decode()
    assert state_of(activity) == A.DRAFT
    client.post(do_url(activity, "withdraw"), {"t-withdraw-comment": "Financing fell through."})
    assert state_of(activity) == A.WITHDRAWN


def test_a_failing_guard_shows_its_message_and_changes_nothing(as_user, world, activity, advance_to):
    activity = advance_to(activity, A.VALIDATION_CONTRACTED)  # no PDD document uploaded yet
    response = as_user(world.dora).post(do_url(activity, "publish_for_consultation"), follow=True)
    assert "Upload the PDD document first." in response.content.decode()
    assert state_of(activity) == A.VALIDATION_CONTRACTED


def test_validate_takes_the_risk_rating_for_reversal_risk_methodologies(as_user, world, advance_to):
    """A6.4-STAN-METH-002 paras 38-40: the PDD carries the participants' rating; the DOE validates it."""
    version = f.methodology_version("A6.4-AMM-RR", reversal_risk=True)
    activity = services.activity_create(user=world.ama, risk_rating_percent=Decimal("7.5"),
                                        **f.pdd_data(world.host, version))
    services.document_upload(activity=activity, user=world.ama, kind="risk_assessment", uploaded=f.pdf("risk.pdf"))
    activity = advance_to(activity, A.UNDER_VALIDATION)
    services.document_upload(activity=activity, user=world.dora, kind="validation_report", uploaded=f.pdf("vr.pdf"))
    client = as_user(world.dora)
    html = client.get(page_url(activity)).content.decode()
    assert transition_buttons(html) == {"validate": False}  # the rating comes with the button
    assert 'name="t-validate-risk_rating_accepted"' in html and "7.50 %" in html
    response = client.post(do_url(activity, "validate"), {}, follow=True)
    assert "This field is required." in response.content.decode()
    assert state_of(activity) == A.UNDER_VALIDATION
    client.post(do_url(activity, "validate"), {"t-validate-risk_rating_accepted": "on"})
    activity.refresh_from_db()
    assert (activity.state, activity.risk_rating_percent) == (A.VALIDATED, Decimal("7.50"))


def test_no_risk_rating_field_for_other_methodologies(as_user, world, activity, advance_to):
    activity = advance_to(activity, A.UNDER_VALIDATION)
    assert "risk_rating" not in as_user(world.dora).get(page_url(activity)).content.decode()


def test_the_whole_registration_through_the_buttons(as_user, world, activity, advance_to):
    activity = advance_to(activity, A.VALIDATED)
    services.host_approval_issue(
        activity=activity,
        user=world.dina,
        sd_confirmation="SD.",
        ndc_relation="NDC.",
        authorized_participants=[world.orgs["dev"]],
    )
    services.authorization_statement_issue(
        activity=activity, user=world.dina, uses="mc", effective_from=activity.crediting_start
    )
    as_user(world.dora).post(do_url(activity, "request_registration"))
    assert state_of(activity) == A.REGISTRATION_REQUESTED
    fee = activity.fees.get()
    sam = as_user(world.sam)
    sam.post(
        reverse("fee-record-payment", kwargs={"reference": activity.reference, "fee_id": fee.pk}),
        {f"fee-{fee.pk}-reference": "WIRE-42"},
    )
    for name in ("start_completeness_check", "pass_completeness_check", "pass_information_check"):
        assert sam.post(do_url(activity, name)).status_code == 302
    assert state_of(activity) == A.REVIEW_WINDOW
    sofia = as_user(world.sofia)
    sofia.post(do_url(activity, "request_review"), {"t-request_review-comment": "Check the baseline."})
    # RMP 22: no SB member registers alone; the secretariat records the meeting's decision.
    assert sofia.post(do_url(activity, "register"), {"t-register-comment": "Alone."}).status_code == 403
    assert state_of(activity) == A.UNDER_SB_REVIEW
    response = as_user(world.sam).post(
        reverse("board-activity-record", kwargs={"reference": activity.reference}),
        {"board-meeting-transition": "register", "board-meeting-meeting": "SBM019",
         "board-meeting-agenda_item": "4.2", "board-meeting-outcome": "adopted", "board-meeting-by": "consensus",
         "board-meeting-comment": "Meets the requirements (RMP 49)."},
    )
    assert response.status_code == 302
    assert state_of(activity) == A.REGISTRATION_APPROVED


def test_every_button_has_its_service():
    """The generic view maps each pressable transition to `services.activity_<name>`."""
    from projects.views.activity import PRESSABLE

    assert PRESSABLE and "close_consultation" not in PRESSABLE and "register_by_timer" not in PRESSABLE
    for name in PRESSABLE:
        assert callable(getattr(services, f"activity_{name}", None)), name
