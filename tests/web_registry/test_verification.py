"""Verification through the web (RMP 51; policy.md §4): start, findings on the period, certify."""

import pytest

from pacm.events.models import Event, EventKind
from projects import services
from projects.cycle import PeriodState as P
from projects.models import Finding, MonitoringPeriod

from .. import factories as f
from .conftest import form_actions, period_url, transition_buttons


@pytest.fixture
def under_verification(world, registered, submit):
    period = submit(registered)
    return services.period_start_verification(period=period, user=world.dora)


def upload_verification_report(client, period):
    return client.post(period_url(period, "period-document-upload"), {
        "upload-kind": "verification_report", "upload-title": "", "upload-file": f.pdf("verification.pdf"),
    })


def test_engaged_doe_starts_verification_and_others_cannot(as_user, world, registered, submit):
    period = submit(registered)
    html = as_user(world.dora).get(period_url(period)).content.decode()
    assert transition_buttons(html) == {"start_verification": False}
    assert transition_buttons(as_user(world.ama).get(period_url(period)).content.decode()) == {"withdraw": False}
    for who in (world.otto, world.ama, world.sam, world.sofia):
        response = as_user(who).post(period_url(period, "period-transition", name="start_verification"), {})
        assert response.status_code == 403, who
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.SUBMITTED
    response = as_user(world.dora).post(period_url(period, "period-transition", name="start_verification"),
                                        {"t-start_verification-comment": "Site visit booked"})
    assert response.status_code == 302
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.UNDER_VERIFICATION
    event = Event.objects.filter(stream=registered.stream, kind=EventKind.MONITORING_TRANSITIONED).last()
    assert (event.actor, event.to_state, event.comment, event.payload["monitoring_period"]) == (
        world.dora, P.UNDER_VERIFICATION, "Site visit booked", 1)


def test_timer_and_form_transitions_have_no_plain_button_url(as_user, world, under_verification):
    for name in ("certify", "request_issuance", "approve_by_timer", "mark_issued", "nonsense"):
        response = as_user(world.dora).post(period_url(under_verification, "period-transition", name=name), {})
        assert response.status_code == 404, name


def test_findings_on_the_period_block_certification_until_closed(as_user, world, under_verification):
    period = under_verification
    dora = as_user(world.dora)
    response = dora.post(period_url(period, "period-finding-raise"),
                         {"finding-kind": "car", "finding-text": "Meter calibration certificate missing"})
    assert response.status_code == 302
    finding = Finding.objects.get(activity=period.activity)
    assert (finding.monitoring_period_id, finding.status, finding.number) == (period.pk, Finding.Status.OPEN, 1)
    upload_verification_report(dora, period)
    html = dora.get(period_url(period)).content.decode()
    assert "Meter calibration certificate missing" in html
    assert "1 corrective action or clarification request(s) are still open." in html
    # The participant answers on the period page; the DOE closes it there.
    ama = as_user(world.ama)
    answer_url = period_url(period, "period-finding-act", finding_number=1, action="answer")
    assert answer_url in form_actions(ama.get(period_url(period)).content.decode())
    response = ama.post(answer_url, {"answer-1-response": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert Finding.objects.get(pk=finding.pk).status == Finding.Status.OPEN
    assert ama.post(answer_url, {"answer-1-response": "Certificate uploaded"}).status_code == 302
    dora = as_user(world.dora)
    close_url = period_url(period, "period-finding-act", finding_number=1, action="close")
    assert dora.post(close_url, {"close-1-comment": "Resolved"}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == Finding.Status.CLOSED and finding.response == "Certificate uploaded"
    html = dora.get(period_url(period)).content.decode()
    assert "still open" not in html


def test_findings_forms_refuse_the_wrong_people_and_bad_input(as_user, world, under_verification):
    period = under_verification
    for who in (world.ama, world.otto, world.sam):
        response = as_user(who).post(period_url(period, "period-finding-raise"),
                                     {"finding-kind": "cl", "finding-text": "?"})
        assert response.status_code == 403, who
    response = as_user(world.dora).post(period_url(period, "period-finding-raise"),
                                        {"finding-kind": "cl", "finding-text": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert not Finding.objects.exists()
    missing = period_url(period, "period-finding-act", finding_number=7, action="close")
    assert as_user(world.dora).post(missing, {}).status_code == 404


def certify_post(verified, comment=""):
    return {**{f"certify-verified_{v}": str(q) for v, q in verified.items()}, "certify-comment": comment}


def test_certify_above_the_claim_is_refused_and_nothing_changes(as_user, world, under_verification):
    period = under_verification
    vintage = period.claims.get().vintage
    client = as_user(world.dora)
    upload_verification_report(client, period)
    response = client.post(period_url(period, "period-certify"), certify_post({vintage: 30_001}))
    html = response.content.decode()
    assert response.status_code == 200
    assert f"Vintage {vintage}: 30,001 verified exceeds the 30,000 claimed." in html
    period.refresh_from_db()
    assert period.state == P.UNDER_VERIFICATION
    assert period.claims.get().verified is None


def test_certify_needs_every_vintage_and_whole_numbers(as_user, world, under_verification):
    period = under_verification
    vintage = period.claims.get().vintage
    client = as_user(world.dora)
    upload_verification_report(client, period)
    for data, message in (({}, "This field is required."), (certify_post({vintage: "12.5"}), "Enter a whole number."),
                          (certify_post({vintage: -1}), "greater than or equal to 0")):
        response = client.post(period_url(period, "period-certify"), data)
        assert message in response.content.decode()
    period.refresh_from_db()
    assert period.state == P.UNDER_VERIFICATION and period.claims.get().verified is None


def test_certify_without_the_verification_report_is_blocked(as_user, world, under_verification):
    period = under_verification
    vintage = period.claims.get().vintage
    client = as_user(world.dora)
    html = client.get(period_url(period)).content.decode()
    assert "Upload the verification and certification report for this period first." in html
    response = client.post(period_url(period, "period-certify"), certify_post({vintage: 100}))
    assert "Upload the verification and certification report for this period first." in response.content.decode()
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.UNDER_VERIFICATION


def test_doe_certifies_the_verified_quantity(as_user, world, under_verification):
    period = under_verification
    vintage = period.claims.get().vintage
    client = as_user(world.dora)
    assert upload_verification_report(client, period).status_code == 302
    response = client.post(period_url(period, "period-certify"), certify_post({vintage: 28_500}, "Conservative"))
    assert response.status_code == 302
    period.refresh_from_db()
    assert period.state == P.VERIFIED and period.claims.get().verified == 28_500
    event = Event.objects.filter(stream=period.activity.stream, kind=EventKind.MONITORING_TRANSITIONED).last()
    assert (event.to_state, event.comment, event.payload["verified"]) == (P.VERIFIED, "Conservative",
                                                                         {str(vintage): 28_500})
    html = as_user(None).get(period_url(period)).content.decode()
    assert "28,500" in html and "30,000" in html


def test_only_the_engaged_doe_may_certify(as_user, world, under_verification):
    period = under_verification
    vintage = period.claims.get().vintage
    for who in (world.otto, world.ama, world.sam):
        response = as_user(who).post(period_url(period, "period-certify"), certify_post({vintage: 10}))
        assert response.status_code == 403, who
    assert period_url(period, "period-certify") not in form_actions(
        as_user(world.ama).get(period_url(period)).content.decode())
