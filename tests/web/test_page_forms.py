"""The forms of the activity page: each shown only to who may use it; bad input saves nothing."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from pacm.events.models import Event, EventKind
from projects import services
from projects.cycle import ActivityState as A
from projects.models import AuthorizationStatement, DocumentVersion, Fee, Finding, HostApproval

from .. import factories as f
from .conftest import form_actions, page_url


def url(name, activity, **kw):
    return reverse(name, kwargs={"reference": activity.reference, **kw})


# --- Engage a DOE ------------------------------------------------------------------------------


def test_participant_engages_a_doe(as_user, world, activity):
    client = as_user(world.ama)
    assert url("activity-engage-doe", activity) in form_actions(client.get(page_url(activity)).content.decode())
    response = client.post(url("activity-engage-doe", activity), {"engage-doe": world.orgs["doe"].pk})
    assert response.status_code == 302
    activity.refresh_from_db()
    assert activity.validation_doe == world.orgs["doe"]
    assert Event.objects.get(stream=activity.stream, kind=EventKind.DOE_ENGAGED).payload["doe"] == "Terra Verification"


def test_engage_with_no_or_a_non_doe_choice_changes_nothing(as_user, world, activity):
    client = as_user(world.ama)
    html = client.post(url("activity-engage-doe", activity), {"engage-doe": ""}).content.decode()
    assert "This field is required." in html and "Nothing was saved" in html
    html = client.post(url("activity-engage-doe", activity), {"engage-doe": world.orgs["dna"].pk}).content.decode()
    assert "Select a valid choice." in html
    activity.refresh_from_db()
    assert activity.validation_doe is None


def test_engage_form_only_for_participants_before_acceptance(as_user, world, activity, advance_to):
    activity = advance_to(activity, A.VALIDATION_CONTRACTED)
    assert url("activity-engage-doe", activity) not in form_actions(
        as_user(world.ama).get(page_url(activity)).content.decode()
    )
    response = as_user(world.ama).post(url("activity-engage-doe", activity), {"engage-doe": world.orgs["doe2"].pk})
    assert response.status_code == 403
    activity.refresh_from_db()
    assert activity.validation_doe == world.orgs["doe"]


# --- Upload a document ------------------------------------------------------------------------


def upload(client, activity, kind="pdd", file=None, title=""):
    data = {"upload-kind": kind, "upload-title": title}
    if file is not None:
        data["upload-file"] = file
    return client.post(url("document-upload", activity), data)


def test_participant_uploads_a_pdd_and_the_page_shows_its_hash(as_user, world, activity):
    client = as_user(world.ama)
    assert upload(client, activity, file=f.pdf("pdd-v1.pdf"), title="PDD").status_code == 302
    assert upload(client, activity, file=f.pdf("pdd-v2.pdf", f.PDF_BYTES + b"% v2\n")).status_code == 302
    versions = list(DocumentVersion.objects.filter(document__activity=activity).order_by("number"))
    assert [v.number for v in versions] == [1, 2]
    html = client.get(page_url(activity)).content.decode()
    for v in versions:
        assert v.sha256 in html and v.original_name in html
        assert url("document-download", activity, version_id=v.pk) in html


def test_upload_kinds_follow_the_uploader_role(as_user, world, activity, advance_to):
    html = as_user(world.ama).get(page_url(activity)).content.decode()
    assert 'value="pdd"' in html and 'value="validation_report"' not in html
    # A participant cannot slip in a DOE's document by editing the form.
    response = upload(as_user(world.ama), activity, kind="validation_report", file=f.pdf())
    assert "Select a valid choice." in response.content.decode()
    assert not DocumentVersion.objects.exists()
    activity = advance_to(activity, A.UNDER_VALIDATION)
    html = as_user(world.dora).get(page_url(activity)).content.decode()
    assert 'value="validation_report"' in html and 'value="pdd"' not in html


@pytest.mark.parametrize(
    "file, message",
    [
        (SimpleUploadedFile("notes.txt", b"plain text"), "Upload a PDF or office document"),
        (SimpleUploadedFile("fake.pdf", b"MZ\x90\x00 not a pdf"), "The file does not look like a PDF."),
        (None, "This field is required."),
    ],
)
def test_bad_uploads_are_refused(as_user, world, activity, file, message):
    html = upload(as_user(world.ama), activity, file=file).content.decode()
    assert message in html and "Nothing was saved" in html
    assert not DocumentVersion.objects.exists()
    assert not Event.objects.filter(stream=activity.stream, kind=EventKind.DOCUMENT_UPLOADED).exists()


def test_upload_over_the_size_limit_is_refused(as_user, world, activity, settings):
    settings.PACM_MAX_UPLOAD_BYTES = 20
    html = upload(as_user(world.ama), activity, file=f.pdf("big.pdf", f.PDF_BYTES + b"x" * 30)).content.decode()
    assert "larger than the" in html
    assert not DocumentVersion.objects.exists()


def test_upload_by_someone_who_only_sees_the_activity_is_403(as_user, world, published):
    response = upload(as_user(world.kofi), published, file=f.pdf())
    assert response.status_code == 403
    assert published.documents.get().versions.count() == 1  # only the PDD the fixture uploaded


# --- Findings ---------------------------------------------------------------------------------


@pytest.fixture
def validating(activity, advance_to):
    return advance_to(activity, A.UNDER_VALIDATION)


def finding_url(activity, number, action):
    return url("finding-act", activity, number=number, action=action)


def test_finding_life_through_the_page(as_user, world, validating):
    a = validating
    dora, ama = as_user(world.dora), None
    assert (
        dora.post(url("finding-raise", a), {"finding-kind": "car", "finding-text": "Baseline lacks data."}).status_code
        == 302
    )
    finding = Finding.objects.get(activity=a)
    assert (finding.number, finding.kind, finding.status) == (1, "car", "open")
    ama = as_user(world.ama)
    assert ama.post(finding_url(a, 1, "answer"), {"answer-1-response": "Data added in PDD v2."}).status_code == 302
    finding.refresh_from_db()
    assert (finding.status, finding.response) == ("answered", "Data added in PDD v2.")
    dora = as_user(world.dora)
    assert dora.post(finding_url(a, 1, "reopen"), {"reopen-1-comment": "Still no 2019 data."}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == "open"
    assert dora.post(finding_url(a, 1, "close"), {"close-1-comment": ""}).status_code == 302
    finding.refresh_from_db()
    assert finding.status == "closed"
    html = dora.get(page_url(a)).content.decode()
    assert "Baseline lacks data." in html and "Data added in PDD v2." in html and "Closed" in html
    kinds = list(Event.objects.filter(stream=a.stream, kind__startswith="finding.").values_list("kind", flat=True))
    assert kinds == ["finding.raised", "finding.answered", "finding.reopened", "finding.closed"]


def test_finding_bad_input_saves_nothing(as_user, world, validating):
    a = validating
    dora = as_user(world.dora)
    html = dora.post(url("finding-raise", a), {"finding-kind": "zzz", "finding-text": ""}).content.decode()
    assert "Select a valid choice." in html and "This field is required." in html
    assert not Finding.objects.exists()
    finding = services.finding_raise(activity=a, user=world.dora, kind="cl", text="Which landfill cells?")
    html = as_user(world.ama).post(finding_url(a, 1, "answer"), {"answer-1-response": ""}).content.decode()
    assert "This field is required." in html
    services.finding_answer(finding=finding, user=world.ama, response="Cells 1-4.")
    html = as_user(world.dora).post(finding_url(a, 1, "reopen"), {"reopen-1-comment": ""}).content.decode()
    assert "This field is required." in html
    finding.refresh_from_db()
    assert finding.status == "answered"


def test_finding_forms_follow_the_role(as_user, world, validating):
    a = validating
    assert url("finding-raise", a) not in form_actions(as_user(world.ama).get(page_url(a)).content.decode())
    assert url("finding-raise", a) in form_actions(as_user(world.dora).get(page_url(a)).content.decode())
    services.finding_raise(activity=a, user=world.dora, kind="car", text="Fix it.")
    ama_forms = form_actions(as_user(world.ama).get(page_url(a)).content.decode())
    assert finding_url(a, 1, "answer") in ama_forms and finding_url(a, 1, "close") not in ama_forms
    # The participant cannot close its own finding; the DOE cannot answer it.
    assert as_user(world.ama).post(finding_url(a, 1, "close"), {"close-1-comment": ""}).status_code == 403
    assert as_user(world.dora).post(finding_url(a, 1, "answer"), {"answer-1-response": "x"}).status_code == 403
    assert Finding.objects.get().status == "open"
    assert as_user(world.dora).post(finding_url(a, 9, "close")).status_code == 404


# --- Host approval and authorization statement ------------------------------------------------


def test_dna_issues_the_host_approval(as_user, world, published):
    client = as_user(world.dina)
    assert url("host-approval-issue", published) in form_actions(client.get(page_url(published)).content.decode())
    response = client.post(
        url("host-approval-issue", published),
        {
            "host-sd_confirmation": "Jobs and cleaner air.",
            "host-ndc_relation": "Waste sector of the NDC.",
            "host-renewal_approved": "on",
            "host-authorized_participants": [world.orgs["dev"].pk],
        },
    )
    assert response.status_code == 302
    approval = HostApproval.objects.get(activity=published)
    assert (approval.version, approval.renewal_approved, approval.sop_exemption_opt_out) == (1, True, False)
    assert list(approval.authorized_participants.all()) == [world.orgs["dev"]]
    assert "Jobs and cleaner air." in client.get(page_url(published)).content.decode()


def test_host_approval_bad_input_and_wrong_dna(as_user, world, published):
    client = as_user(world.dina)
    html = client.post(
        url("host-approval-issue", published),
        {
            "host-sd_confirmation": "",
            "host-ndc_relation": "NDC.",
            "host-authorized_participants": [],
        },
    ).content.decode()
    assert html.count("This field is required.") == 2
    # A participant that is not on this activity cannot be authorized for it (RMP 41).
    html = client.post(
        url("host-approval-issue", published),
        {
            "host-sd_confirmation": "SD.",
            "host-ndc_relation": "NDC.",
            "host-authorized_participants": [world.orgs["dev2"].pk],
        },
    ).content.decode()
    assert "Select a valid choice." in html
    # Another Party's DNA sees the public page but may not approve.
    assert url("host-approval-issue", published) not in form_actions(
        as_user(world.nils).get(page_url(published)).content.decode()
    )
    response = as_user(world.nils).post(
        url("host-approval-issue", published),
        {
            "host-sd_confirmation": "SD.",
            "host-ndc_relation": "NDC.",
            "host-authorized_participants": [world.orgs["dev"].pk],
        },
    )
    assert response.status_code == 403
    assert not HostApproval.objects.exists()


def auth_data(**kw):
    data = {
        "auth-uses": "ndc",
        "auth-first_transfer": "",
        "auth-quantity_cap": "",
        "auth-vintage_from": "",
        "auth-vintage_to": "",
        "auth-change_terms": "",
        "auth-effective_from": "2026-01-01",
    }
    data.update({f"auth-{k}": v for k, v in kw.items()})
    return data


def test_dna_issues_and_revises_the_authorization_statement(as_user, world, published):
    client = as_user(world.dina)
    assert client.post(url("authorization-statement-issue", published), auth_data()).status_code == 302
    assert (
        client.post(
            url("authorization-statement-issue", published),
            auth_data(
                uses="both",
                first_transfer="issuance",
                quantity_cap="50000",
                vintage_from="2026",
                vintage_to="2030",
                change_terms="Revisions apply only to units not yet first-transferred.",
            ),
        ).status_code
        == 302
    )
    v1, v2 = AuthorizationStatement.objects.filter(activity=published).order_by("version")
    assert (v1.uses, v1.first_transfer) == ("ndc", "international")
    assert (v2.version, v2.uses, v2.first_transfer, v2.quantity_cap, v2.vintage_from, v2.vintage_to) == (
        2,
        "both",
        "issuance",
        50000,
        2026,
        2030,
    )
    html = client.get(page_url(published)).content.decode()
    assert "Version 1" in html and "Version 2" in html and "up to 50,000 units" in html


@pytest.mark.parametrize(
    "overrides, message",
    [
        ({"uses": "oimp"}, "Define the first transfer for other international mitigation purposes."),
        ({"vintage_from": "2030", "vintage_to": "2026"}, "The last vintage is before the first."),
        ({"quantity_cap": "0"}, "Ensure this value is greater than or equal to 1."),
        ({"effective_from": "01/31/2026x"}, "Enter a valid date."),
    ],
)
def test_authorization_statement_bad_input_saves_nothing(as_user, world, published, overrides, message):
    html = (
        as_user(world.dina)
        .post(url("authorization-statement-issue", published), auth_data(**overrides))
        .content.decode()
    )
    assert message in html
    assert not AuthorizationStatement.objects.exists()


# --- Fees -------------------------------------------------------------------------------------


@pytest.fixture
def requested(activity, advance_to):
    return advance_to(activity, A.REGISTRATION_REQUESTED)


def test_secretariat_records_the_fee_payment(as_user, world, requested):
    fee = requested.fees.get()
    client = as_user(world.sam)
    pay = url("fee-record-payment", requested, fee_id=fee.pk)
    assert pay in form_actions(client.get(page_url(requested)).content.decode())
    assert client.post(pay, {f"fee-{fee.pk}-reference": "WIRE-2026-17"}).status_code == 302
    fee.refresh_from_db()
    assert (fee.status, fee.payment_reference) == (Fee.Status.PAID, "WIRE-2026-17")
    html = client.get(page_url(requested)).content.decode()
    assert "Paid" in html and "WIRE-2026-17" in html and pay not in form_actions(html)
    # Once paid, the completeness check may start.
    assert f'action="/activities/{requested.reference}/do/start_completeness_check/"' in html


def test_fee_payment_bad_input_and_wrong_person(as_user, world, requested):
    fee = requested.fees.get()
    pay = url("fee-record-payment", requested, fee_id=fee.pk)
    html = as_user(world.sam).post(pay, {f"fee-{fee.pk}-reference": "   "}).content.decode()
    assert "This field is required." in html
    assert pay not in form_actions(as_user(world.ama).get(page_url(requested)).content.decode())
    assert as_user(world.ama).post(pay, {f"fee-{fee.pk}-reference": "SELF-PAID"}).status_code == 403
    assert as_user(world.sam).post(url("fee-record-payment", requested, fee_id=fee.pk + 999)).status_code == 404
    fee.refresh_from_db()
    assert fee.status == Fee.Status.DUE and fee.payment_reference == ""


def test_waived_fee_shows_its_status_and_offers_no_payment(as_user, world, activity, advance_to):
    """7/CMA.4 annex I para 58: an LDC host's fees are waived; nothing to record."""
    f.party("GH", "Ghana", ldc=True)
    activity = advance_to(activity, A.REGISTRATION_REQUESTED)
    fee = activity.fees.get()
    assert fee.status == Fee.Status.WAIVED
    html = as_user(world.sam).get(page_url(activity)).content.decode()
    assert "Waived (LDC/SIDS host)" in html
    assert url("fee-record-payment", activity, fee_id=fee.pk) not in form_actions(html)
    assert (
        as_user(world.sam)
        .post(url("fee-record-payment", activity, fee_id=fee.pk), {f"fee-{fee.pk}-reference": "X"})
        .status_code
        == 403
    )


def test_fee_status_on_page_after_request(client, world, requested):
    html = client.get(page_url(requested)).content.decode()
    fee = requested.fees.get()
    assert "Registration fee" in html and "Due" in html and f"{fee.amount_usd:,}" in html
