"""The writes whose web form is composite or a formset, through POST .../actions/{name} (pacm issue 9):
each read by the web's own form and formset, then the service the web view calls.

Personas (tests/conftest.py): ama (participant), dora (the engaged DOE), otto (another DOE),
dina (the host's DNA), nils (another Party's DNA), sam (secretariat), sofia (SB member)."""
from decimal import Decimal

import pytest

from pacm.events.models import Event
from projects import services
from projects.board.models import Decision, Vote
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import Activity, HostApproval, MonitoringPeriod, VintageClaim
from projects.risk.services import revision_schedule
from tests import factories as f
from tests.board.conftest import board, electronic, under_review  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db

# The issuance request records the fee it assesses, then the transition (as on the web).
KINDS_REQUESTED = ["fee.assessed", "monitoring.transitioned"]


def _post(client, path, body):
    return client.post(path, body, content_type="application/json")


def _new_events(stream, before):
    return [(e.kind, e.from_state, e.to_state, e.role, e.actor_id)
            for e in Event.objects.filter(stream=stream, sequence__gt=before).order_by("sequence")]


def _last(stream):
    return Event.objects.filter(stream=stream).order_by("-sequence").values_list("sequence", flat=True).first() or 0


def _url(period):
    return f"/api/v1/activities/{period.activity.reference}/periods/{period.number}/actions"


@pytest.fixture
def under_verification(world, registered, submit, drive):
    period = drive(submit(registered, claims={registered.crediting_start.year: 30_000}), P.UNDER_VERIFICATION)
    services.document_upload(activity=registered, user=world.dora, kind="verification_report",
                             uploaded=f.pdf("ver.pdf"), period=period)
    return MonitoringPeriod.objects.get(pk=period.pk)


# --- certify (RMP 51) ----------------------------------------------------------------------------

def test_the_doe_certifies_per_vintage_through_the_api(world, under_verification, bearer):
    period, stream = under_verification, under_verification.activity.stream
    vintage = period.claims.get().vintage
    before = _last(stream)
    done = _post(bearer(world.dora), f"{_url(period)}/certify",
                 {"inputs": {"verified": {str(vintage): 29_000}}, "comment": "Opinion positive"})
    assert done.status_code == 200, done.content
    assert done.json()["subject"]["state"] == P.VERIFIED
    assert _new_events(stream, before) == [("monitoring.transitioned", P.UNDER_VERIFICATION, P.VERIFIED, "doe", world.dora.pk)]
    event = Event.objects.get(stream=stream, sequence__gt=before)
    assert event.payload["verified"] == {str(vintage): 29_000} and event.comment == "Opinion positive"
    assert VintageClaim.objects.get(period=period).verified == 29_000


def test_certify_refusals_name_the_row_and_change_nothing(world, under_verification, bearer):
    period, stream = under_verification, under_verification.activity.stream
    vintage = period.claims.get().vintage
    url = f"{_url(period)}/certify"
    before = _last(stream)
    wrong = _post(bearer(world.otto), url, {"inputs": {"verified": {str(vintage): 1}}})
    assert wrong.status_code in (403, 404)
    if wrong.status_code == 403:
        assert wrong.json()["code"] == "not_offered"
    participant = _post(bearer(world.ama), url, {"inputs": {"verified": {str(vintage): 1}}})
    assert participant.status_code == 403 and participant.json()["code"] == "not_offered"
    too_much = _post(bearer(world.dora), url, {"inputs": {"verified": {str(vintage): 30_001}}})
    assert too_much.status_code == 400 and too_much.json()["code"] == "verified_exceeds_claimed"
    assert too_much.json()["field"] == "verified"
    not_a_number = _post(bearer(world.dora), url, {"inputs": {"verified": {str(vintage): "lots"}}})
    assert not_a_number.status_code == 400 and not_a_number.json()["field"] == f"verified.{vintage}"
    unclaimed = _post(bearer(world.dora), url, {"inputs": {"verified": {"1999": 5}}})
    assert unclaimed.status_code == 400 and unclaimed.json()["field"] == "verified.1999"
    missing = _post(bearer(world.dora), url, {"inputs": {}})
    assert missing.status_code == 400 and missing.json()["field"] == "verified"
    assert _last(stream) == before
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.UNDER_VERIFICATION
    assert VintageClaim.objects.get(period=period).verified is None


# --- the issuance request (RMP 52, 59-60) --------------------------------------------------------

@pytest.fixture
def verified(world, under_verification):
    services.period_certify(period=under_verification, user=world.dora,
                            verified={c.vintage: c.claimed for c in under_verification.claims.all()})
    return MonitoringPeriod.objects.get(pk=under_verification.pk)


def test_the_issuance_request_with_its_omge_election_and_lines(world, verified, bearer):
    stream = verified.activity.stream
    before = _last(stream)
    done = _post(bearer(world.dora), f"{_url(verified)}/request_issuance", {"comment": "Please issue", "inputs": {
        "units_requested": 30_000, "omge_rate": "0.05",
        "lines": [{"account": world.acct.number, "percent": "60"}, {"account": world.acct2.number, "percent": "40"}]}})
    assert done.status_code == 200, done.content
    assert done.json()["subject"]["state"] == P.ISSUANCE_REQUESTED
    new = _new_events(stream, before)
    assert ("monitoring.transitioned", P.VERIFIED, P.ISSUANCE_REQUESTED, "doe", world.dora.pk) in new
    assert [k for k, *_rest in new] == KINDS_REQUESTED
    request = MonitoringPeriod.objects.get(pk=verified.pk).issuance
    assert request.units_requested == 30_000 and str(request.omge_rate) == "0.0500"
    assert sorted((line.account.number, line.percent) for line in request.lines.all()) == [
        (world.acct.number, 60), (world.acct2.number, 40)]


def test_issuance_rows_refused_with_their_path_and_nothing_changed(world, verified, bearer):
    stream, url = verified.activity.stream, f"{_url(verified)}/request_issuance"
    before = _last(stream)
    wrong = _post(bearer(world.ama), url, {"inputs": {"units_requested": 30_000, "lines": []}})
    assert wrong.status_code == 403 and wrong.json()["code"] == "not_offered"
    bad_row = _post(bearer(world.dora), url, {"inputs": {"units_requested": 30_000, "lines": [
        {"account": world.acct.number, "percent": "60"}, {"account": world.acct2.number, "percent": "many"}]}})
    assert bad_row.status_code == 400 and bad_row.json()["field"] == "lines.1.percent", bad_row.json()
    nested = _post(bearer(world.dora), url, {"inputs": {"units_requested": 30_000, "lines": [{"account": ["x"]}]}})
    assert nested.status_code == 400 and nested.json()["field"] == "lines.0.account"
    not_a_list = _post(bearer(world.dora), url, {"inputs": {"units_requested": 30_000, "lines": "all to me"}})
    assert not_a_list.status_code == 400 and not_a_list.json()["field"] == "lines"
    too_many = _post(bearer(world.dora), url, {"inputs": {"units_requested": 30_001, "lines": [
        {"account": world.acct.number, "percent": "100"}]}})
    assert too_many.status_code == 400
    unknown = _post(bearer(world.dora), url, {"inputs": {"units_requested": 30_000, "lines": [
        {"account": "PACM-H-NOPE", "percent": "100"}]}})
    assert unknown.status_code == 400 and unknown.json()["code"] == "account_unknown", unknown.json()
    assert _last(stream) == before
    assert MonitoringPeriod.objects.get(pk=verified.pk).state == P.VERIFIED


# --- the host approval (RMP 40-41) ---------------------------------------------------------------

def test_the_dna_approves_through_the_api(world, activity, advance_to, bearer):
    validated = advance_to(activity, A.VALIDATED)
    url = f"/api/v1/activities/{validated.reference}/actions/issue_host_approval"
    body = {"inputs": {"sd_confirmation": "Fosters SD.", "ndc_relation": "Within the NDC.",
                       "authorized_participants": [world.orgs["dev"].pk], "renewal_approved": True}}
    before = _last(validated.stream)
    foreign = _post(bearer(world.nils), url, body)
    assert foreign.status_code == 403 and foreign.json()["code"] == "not_offered"
    empty = _post(bearer(world.dina), url, {"inputs": {**body["inputs"], "authorized_participants": []}})
    assert empty.status_code == 400 and empty.json()["field"] == "authorized_participants"
    outsider = _post(bearer(world.dina), url, {"inputs": {**body["inputs"],
                                                          "authorized_participants": [world.orgs["dev2"].pk]}})
    assert outsider.status_code == 400 and outsider.json()["field"] == "authorized_participants"
    assert _last(validated.stream) == before and not HostApproval.objects.filter(activity=validated).exists()
    done = _post(bearer(world.dina), url, body)
    assert done.status_code == 200, done.content
    assert [(k, r, a) for k, _f, _t, r, a in _new_events(validated.stream, before)] == [
        ("host.approval_issued", "dna", world.dina.pk)]
    approval = HostApproval.objects.get(activity=validated)
    assert approval.renewal_approved and list(approval.authorized_participants.all()) == [world.orgs["dev"]]


# --- the Board (RMP 22; PROC-AC-002 v03.0 paras 102-103) -----------------------------------------

def test_the_secretariat_records_a_meeting_decision(world, under_review, bearer):  # noqa: F811
    url = f"/api/v1/activities/{under_review.reference}/actions/decide_as_board"
    meeting = {"mode": "meeting", "transition": "register", "meeting": "SBM019", "agenda_item": "4.2",
               "outcome": "adopted", "by": "consensus"}
    before = _last(under_review.stream)
    member = _post(bearer(world.sofia), url, {"inputs": meeting, "comment": "Meets RMP 49."})
    assert member.status_code == 403 and member.json()["code"] == "not_offered"
    no_mode = _post(bearer(world.sam), url, {"inputs": {"transition": "register"}})
    assert no_mode.status_code == 400 and no_mode.json()["field"] == "mode"
    bad = _post(bearer(world.sam), url, {"inputs": {**meeting, "transition": "launch"}, "comment": "x"})
    assert bad.status_code == 400 and bad.json()["field"] == "transition"
    assert _last(under_review.stream) == before
    done = _post(bearer(world.sam), url, {"inputs": meeting, "comment": "Meets RMP 49."})
    assert done.status_code == 200, done.content
    assert done.json()["subject"]["state"] == A.REGISTRATION_APPROVED
    new = _new_events(under_review.stream, before)
    assert [k for k, *_rest in new] == ["board.decided", "activity.transitioned"]
    assert new[1][1:3] == (A.UNDER_SB_REVIEW, A.REGISTRATION_APPROVED)


def test_an_electronic_decision_opened_and_voted_through_the_api(world, board, under_review, bearer):  # noqa: F811
    url = f"/api/v1/activities/{under_review.reference}/actions"
    opened = _post(bearer(world.sam), f"{url}/decide_as_board",
                   {"inputs": {"mode": "electronic", "transition": "register"}, "comment": "Meets RMP 49."})
    assert opened.status_code == 200, opened.content
    assert [e["kind"] for e in opened.json()["events"]] == ["board.decision_opened"]
    decision = Decision.objects.get(subject_id=under_review.pk, status=Decision.Status.OPEN)
    before = _last(under_review.stream)
    outsider = _post(bearer(world.ama), f"{url}/vote_as_board", {"inputs": {"choice": "yes"}})
    assert outsider.status_code == 403 and outsider.json()["code"] == "not_offered"
    bad = _post(bearer(world.sofia), f"{url}/vote_as_board", {"inputs": {"choice": "maybe"}})
    assert bad.status_code == 400 and bad.json()["field"] == "choice"
    assert not Vote.objects.filter(decision=decision).exists()
    done = _post(bearer(world.sofia), f"{url}/vote_as_board", {"inputs": {"choice": "yes"}})
    assert done.status_code == 200, done.content
    assert _new_events(under_review.stream, before) == []  # a vote is a row of the decision, as on the web
    assert Vote.objects.get(decision=decision).voter == world.sofia
    again = _post(bearer(world.sofia), f"{url}/vote_as_board", {"inputs": {"choice": "no"}})
    assert again.status_code == 403 and again.json()["code"] == "already_voted_decision"


# --- the risk rating's revision (A6.4-STAN-METH-002 v01.0 paras 38-41, 49) -----------------------

@pytest.fixture
def rated(registered):
    """As tests/issuance/test_risk_revision.py: a removals activity validated at 10 % (set-up)."""
    Activity.objects.filter(pk=registered.pk).update(risk_rating_percent=Decimal("10"))
    methodology = registered.methodology_version.methodology
    methodology.kind = "removals"
    methodology.save()
    return Activity.objects.get(pk=registered.pk)


def test_the_participants_submit_a_revised_risk_rating(world, rated, bearer):
    removals = rated
    assessment = revision_schedule(activity=removals, number=1)
    url = f"/api/v1/activities/{removals.reference}/risk-assessments/{assessment.number}/actions"
    require = _post(bearer(world.sofia), f"{url}/require_revision", {"comment": "The fire season changed."})
    assert require.status_code == 200, require.content
    assert require.json()["subject"]["state"] == "due"
    before = _last(removals.stream)
    wrong = _post(bearer(world.dora), f"{url}/submit_revision", {"inputs": {"rating": "12.5"}})
    assert wrong.status_code == 403 and wrong.json()["code"] == "not_offered"
    bad = _post(bearer(world.ama), f"{url}/submit_revision", {"inputs": {"rating": "250"}})
    assert bad.status_code == 400 and bad.json()["field"] == "rating"
    assert _last(removals.stream) == before
    services.document_upload(activity=removals, user=world.ama, kind="risk_assessment", uploaded=f.pdf("r2.pdf"))
    before = _last(removals.stream)
    done = _post(bearer(world.ama), f"{url}/submit_revision", {"inputs": {"rating": "12.5"}})
    assert done.status_code == 200, done.content
    assert _new_events(removals.stream, before) == [("risk.transitioned", "due", "submitted", "participant", world.ama.pk)]


# --- the monitoring report with its claims (RMP 50), multipart ----------------------------------

def test_the_monitoring_report_with_its_claims(world, registered, bearer, period_over):
    from tests.issuance.conftest import period_dates

    start, end = period_dates(registered, 1)
    url = f"/api/v1/activities/{registered.reference}/monitoring-reports"
    rows = f'[{{"vintage": {start.year}, "quantity": 1200}}, {{"vintage": {end.year}, "quantity": 300}}]'
    if start.year == end.year:
        rows = f'[{{"vintage": {start.year}, "quantity": 1500}}]'
    before = _last(registered.stream)
    form = {"start": start.isoformat(), "end": end.isoformat(), "claims": rows}
    wrong = bearer(world.kofi).post(url, {**form, "report": f.pdf("mr.pdf")})
    assert wrong.status_code in (403, 404)
    bad = bearer(world.ama).post(url, {**form, "claims": '[{"vintage": 2021}]', "report": f.pdf("mr.pdf")})
    assert bad.status_code == 400 and bad.json()["field"] == "claims.0", bad.json()
    twice = bearer(world.ama).post(url, {**form, "claims": '[{"vintage": 2021, "quantity": 1}, {"vintage": 2021, "quantity": 2}]',
                                         "report": f.pdf("mr.pdf")})
    assert twice.status_code == 400 and twice.json()["field"] == "claims"
    assert _last(registered.stream) == before and not MonitoringPeriod.objects.filter(activity=registered).exists()
    done = bearer(world.ama).post(url, {**form, "report": f.pdf("mr.pdf")})
    assert done.status_code == 200, done.content
    assert done.json()["subject"]["state"] == P.SUBMITTED
    period = MonitoringPeriod.objects.get(activity=registered)
    assert sum(c.claimed for c in period.claims.all()) == 1500
    assert "monitoring.submitted" in [k for k, *_rest in _new_events(registered.stream, before)]


def test_the_monitoring_report_refuses_a_stranger_before_it_reads_the_body(world, registered, bearer):
    """Deny by default (pacm issue 9): who may not submit here is refused (403, or 404 where the
    activity is hidden from them) before a body of the wrong shape is a 422; the participant gets the 422."""
    activity = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version))  # a draft
    url = f"/api/v1/activities/{registered.reference}/monitoring-reports"
    malformed = {"start": "not a date" * 5, "claims": "x" * 6000}  # too long, no end, no report file
    before = _last(registered.stream)
    for user in (world.kofi, world.dora, world.sam):
        refused = bearer(user).post(url, malformed)
        assert (refused.status_code, refused.json()["code"]) == (403, "not_offered"), (user, refused.content)
    hidden = bearer(world.kofi).post(f"/api/v1/activities/{activity.reference}/monitoring-reports", malformed)
    assert (hidden.status_code, hidden.json()["code"]) == (404, "not_found")  # ama's draft: kofi does not see it
    nowhere = bearer(world.ama).post("/api/v1/activities/" + "A" * 41 + "/monitoring-reports", malformed)
    assert nowhere.status_code == 404
    shape = bearer(world.ama).post(url, malformed)
    assert (shape.status_code, shape.json()["code"]) == (422, "invalid_input"), shape.content
    assert _last(registered.stream) == before and not MonitoringPeriod.objects.filter(activity=registered).exists()
