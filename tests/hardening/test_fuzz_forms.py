"""Issue 11, part 4: every web form, driven with hostile values (hypothesis).

Every POST view of projects/urls.py and pacm/registry/urls.py is found through the URL
configuration (test_every_post_view_is_fuzzed) and posted to as the persona allowed to use it,
with a real subject in the state where the page offers the form. The fields are the ones the
page's own <form> carries (the test checks that its valid data fits the page); hypothesis then
replaces one to three of them with hostile values: huge and negative integers, 9999-12-31 and
0001-01-01, invisible characters, Arabic-Indic digits, very long strings, NUL bytes, lists where
one value is expected, missing fields, and bad files.

For every example: no 5xx, and a refusal (anything but a redirect without an error message)
leaves every row of the project's tables and the media folder exactly as they were. Each
example runs in a savepoint that is rolled back, so the subject stays in its state. The runs
are bounded and deterministic (a fixed seed per form, no example database).
"""
import datetime
import re
import zlib
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pytest
from django.contrib import messages
from django.contrib.messages import get_messages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.db.models import Sum
from django.test import Client
from django.urls import reverse
from hypothesis import HealthCheck, example, given, seed, settings
from hypothesis import strategies as st

from pacm.common import bounds
from pacm.parties.models import Organisation
from pacm.registry import urls as registry_urls
from projects import services
from projects import urls as project_urls
from projects.board import urls as board_urls
from projects.consultation import urls as consultation_urls
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.dmrv import urls as dmrv_urls
from projects.models import Activity, IssuanceRequest, VintageClaim
from projects.removals import urls as removal_urls
from projects.reversals import urls as reversal_urls
from projects.reversals.models import ObservedEvent
from projects.transition import urls as transition_urls
from tests import factories as f

from .conftest import rows, stored_files

EXAMPLES = 6  # generated per form, after the boundary sweep (SWEEP)

# --- Which views take a POST -------------------------------------------------------------------

# Pages that only show: a POST to them is refused or ignored (checked in test_get_only_pages_write_nothing).
GET_ONLY = frozenset({
    "registry-public", "dashboard", "activity-detail", "document-download", "period-detail", "observed-event-detail",
    "registry-units", "registry-accounts", "registry-account", "transition-list", "transition-detail",
    "registry-buffer-pool", "registry-buffer-pool-csv",
    "registry-serials", "registry-blocks", "registry-issuances", "registry-uses", "registry-totals",
    "stress-test-detail",
})
# The scenes below and the forms each one fuzzes (url names).
SCENES = {
    "draft": {"activity-create", "activity-edit", "activity-engage-doe", "document-upload", "activity-transition"},
    "consultation": {"host-approval-issue", "authorization-statement-issue", "finding-raise", "finding-act"},
    "registration": {"fee-record-payment", "activity-transition"},
    "monitoring": {"period-submit", "period-certify", "period-document-upload", "period-finding-raise",
                   "period-finding-act", "period-transition", "period-request-issuance", "period-fee-record-payment",
                   "registry-transfer", "registry-cancel", "registry-use", "registry-account-open"},
    "reversals": {"observed-event-notify", "observed-event-write", "report-due-write"},
    "gsc": {"consultation-comment", "consultation-answer", "consultation-assess", "consultation-confirm"},
    # The consultation on a PoA's PoA-DD and on a CDM transition request (issue 7, third round).
    "gsc-later": {"poa-consultation-comment", "poa-consultation-answer", "poa-consultation-assess",
                  "transition-consultation-comment", "transition-consultation-answer"},
    # The Board panel (projects.board) offers the transition request's Board decision.
    "transition": {"transition-create", "transition-act", "board-subject-record", "board-subject-open"},
    # The Board panel on the activity and period pages, and a member's vote (projects/board/urls.py).
    "dmrv": {"mrv-keys"},  # pacm issue 9: a new MRV signing key (the form's one-time submission key alone)
    "board": {"board-activity-record", "board-activity-open", "board-period-record", "board-period-open",
              "board-vote"},
    "risk": {"risk-revision-act"},
    "demo": {"activity-demo-advance"},  # pacm issue 9: the demo clock's button (a demo database only)
    # A6.4-STAN-METH-002 v01.0 paras 28, 60-61 (projects.removals).
    "removals": {"termination-request", "termination-write", "stress-tests"},
}




def url_names():
    return {p.name for p in project_urls.urlpatterns + registry_urls.urlpatterns + consultation_urls.urlpatterns
            + transition_urls.urlpatterns + reversal_urls.urlpatterns + removal_urls.urlpatterns
            + board_urls.urlpatterns + dmrv_urls.urlpatterns}


# POST views whose form has no field (what they act on is in the URL): hostile URLs are tested where
# they are built (tests/dmrv/test_keys_page.py::test_an_unknown_key_is_a_404_and_changes_nothing).
NO_FIELDS = frozenset({"mrv-key-revoke"})


def test_every_post_view_is_fuzzed():
    fuzzed = set().union(*SCENES.values())
    assert url_names() - GET_ONLY - NO_FIELDS == fuzzed, "a POST view without a fuzzed form (or a stale name here)"
    assert NO_FIELDS <= url_names()
    assert GET_ONLY <= url_names()


# --- Hostile values ----------------------------------------------------------------------------

DROP = object()  # the field is left out
FIXED = [
    str(2**31), str(2**31 - 1), str(2**63 - 1), str(2**63), str(2**64), str(10**30), "-1", "0", str(-(2**63) - 1),
    "9999-12-31", "0001-01-01", "1989-12-31", "2201-01-01", "2021-02-30",
    "\u200b", "\u200f\u202e", " \u2066\u2069 ", "\ufeff", "\u3164\u3164",
    "٣٠٠", "٢٠٢٦-٠١-٠١", "١", "４０", "4²",
    "x" * 10_000, "a\x00b", "\x00", "\x07\x1b",
    "1.5", "1e9", "1e400", "NaN", "Infinity", "-0", "true", "[]", "{}", "null", "", "  ",
    "' OR 1=1 --", "<script>alert(1)</script>", "../../etc/passwd",
]
hostile = st.one_of(
    st.sampled_from(FIXED),
    st.just(DROP),
    st.integers(min_value=-(2**80), max_value=2**80).map(str),
    st.dates(min_value=datetime.date(1, 1, 1), max_value=datetime.date(9999, 12, 31)).map(datetime.date.isoformat),
    st.text(st.characters(categories=["Cf", "Zs", "Nd", "Lo", "Cc", "So", "Mn"]), max_size=30),
    st.lists(st.sampled_from(FIXED[:12]), min_size=2, max_size=3),  # several values where one is expected
)


def bad_files():
    return {
        "exe": SimpleUploadedFile("setup.exe", b"MZ\x90\x00" + b"\x00" * 60),
        "fake-pdf": SimpleUploadedFile("report.pdf", b"%PDF-1.4\nnot a pdf\n%%EOF\n"),
        "empty": SimpleUploadedFile("report.pdf", b""),
        "macro-docx": SimpleUploadedFile("report.docx", f.docx_bytes(("word/vbaProject.bin", b"vba"))),
        "scripted-pdf": SimpleUploadedFile("report.pdf", f.pdf_bytes().replace(
            b"<</Type/Catalog/Pages 2 0 R>>", b"<</Type/Catalog/Pages 2 0 R/OpenAction<</S/JavaScript/JS(1)>>>>")),
    }


BAD_FILES = ["exe", "fake-pdf", "empty", "macro-docx", "scripted-pdf"]
hostile_file = st.sampled_from([*BAD_FILES, DROP])


# --- The forms of the pages -------------------------------------------------------------------


class FormsParser(HTMLParser):
    """{action: {field name: kind}} of every POST form of a page (named buttons included); the kind
    is what the page asks for: number, date, text, choice, hidden, file, button."""

    KINDS = {"number": "number", "date": "date", "file": "file", "hidden": "hidden", "checkbox": "choice",
             "radio": "choice", "submit": "button"}

    def __init__(self):
        super().__init__()
        self.forms, self.current = {}, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form" and (attrs.get("method") or "").lower() == "post":
            self.current = self.forms.setdefault(attrs.get("action") or "", {})
        elif self.current is not None and attrs.get("name") and tag in ("input", "select", "textarea", "button"):
            if attrs["name"] == "csrfmiddlewaretoken":
                return
            kind = {"select": "choice", "textarea": "text", "button": "button"}.get(tag)
            self.current[attrs["name"]] = kind or self.KINDS.get(attrs.get("type") or "text", "text")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def page_forms(client, page):
    response = client.get(page)
    assert response.status_code == 200, page
    parser = FormsParser()
    parser.feed(response.content.decode())
    return {(action or page): fields for action, fields in parser.forms.items()}  # no action: the page itself


# The boundary sweep: each field, alone, gets each value its kind is most likely to break on
# (the 500s of issue 11). Run as explicit examples before the generated ones.
SWEEP = {
    "number": [str(2**31), str(2**63 - 1), str(2**63), str(2**64), "-1", "٣٠٠"],
    "date": ["9999-12-31", "0001-01-01"],
    "choice": [str(2**64), "-" + str(2**70)],
    "hidden": [str(2**64)],
    "text": ["\u200b\u200f\u2066"],
}


@dataclass
class Target:
    """One form: where it posts, who posts it, valid data for it, its file fields."""

    name: str
    user: object
    url: str
    page: str
    data: dict
    files: dict = field(default_factory=dict)  # field name -> valid file factory
    # (response) -> whether the post was taken; default: a redirect without an error message.
    accepted: object = None


def fields_of(client, target):
    """{field name: kind} of the page's form; the target's own data must be among its fields."""
    forms = page_forms(client, target.page)
    assert target.url in forms, f"{target.name}: the page {target.page} offers no form to {target.url}"
    fields = forms[target.url]
    missing = (set(target.data) | set(target.files)) - set(fields)
    assert not missing, f"{target.name}: not on the page's form: {sorted(missing)}"
    return fields


# --- Invariants that hold after any example ---------------------------------------------------


def invariants():
    for activity in Activity.objects.all():
        for name in ("start_date", "crediting_start", "crediting_end"):
            assert bounds.DATE_MIN <= getattr(activity, name) <= bounds.DATE_MAX
        assert 1 <= activity.estimated_annual <= bounds.ESTIMATE_MAX
        assert all(bounds.has_visible(getattr(activity, name)) for name in ("title", "location", "description"))
        issued = IssuanceRequest.objects.filter(period__activity=activity, issued_at__isnull=False).aggregate(
            n=Sum("gross"))["n"] or 0
        determined = ObservedEvent.objects.filter(activity=activity).aggregate(
            a=Sum("authorized_quantity"), m=Sum("contribution_quantity"))
        assert (determined["a"] or 0) + (determined["m"] or 0) <= issued
    assert all(claim.claimed <= bounds.UNITS_MAX for claim in VintageClaim.objects.all())


# --- The driver -------------------------------------------------------------------------------


def refused(response):
    if response.status_code != 302:
        return True
    return any(m.level >= messages.ERROR for m in get_messages(response.wsgi_request))


def fuzz(settings_, target):
    client = Client()
    client.force_login(target.user)
    fields = fields_of(client, target)
    names = sorted(name for name, kind in fields.items() if kind != "file")
    file_names = sorted(target.files)

    def post(mutation, bad_file):
        payload = dict(target.data)
        for name, value in mutation:
            if value is DROP:
                payload.pop(name, None)
            else:
                payload[name] = value
        for name in file_names:
            if bad_file is None:
                payload[name] = target.files[name]()
            elif bad_file is not DROP:
                payload[name] = bad_files()[bad_file]
        sid = transaction.savepoint()
        try:
            before, files_before = rows(), stored_files(settings_)
            client.cookies.pop("messages", None)  # only this request's messages say whether it was refused
            response = client.post(target.url, payload)
            assert response.status_code < 500, (target.name, response.status_code)
            if (not target.accepted(response)) if target.accepted else refused(response):
                assert rows() == before, f"{target.name}: a refusal wrote to the database"
                assert stored_files(settings_) == files_before, f"{target.name}: a refusal left a file"
            invariants()
        finally:
            transaction.savepoint_rollback(sid)

    @seed(zlib.crc32(target.name.encode()))
    @settings(max_examples=EXAMPLES, database=None, deadline=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
    @given(mutation=st.lists(st.tuples(st.sampled_from(names), hostile), min_size=1, max_size=3,
                             unique_by=lambda pair: pair[0]),
           bad_file=st.one_of(st.none(), hostile_file) if file_names else st.none())
    def one(mutation, bad_file):
        post(mutation, bad_file)

    for name in names:
        if re.search(r"-[1-9][0-9]*-", name):
            continue  # a formset's later rows are the first row's fields again: swept once
        for value in SWEEP.get(fields[name], ()):
            one = example(mutation=[(name, value)], bad_file=None)(one)
    for kind in BAD_FILES if file_names else ():
        one = example(mutation=[(names[0], target.data.get(names[0], ""))], bad_file=kind)(one)
    one()


def run(settings_, targets, scene):
    assert {t.name for t in targets} == SCENES[scene]
    for target in targets:
        fuzz(settings_, target)


def a_url(view, activity, **kw):
    return reverse(view, kwargs={"reference": activity.reference, **kw})


def p_url(view, period, **kw):
    return reverse(view, kwargs={"reference": period.activity.reference, "number": period.number, **kw})


def pdf_factory(name="report.pdf"):
    return lambda: f.pdf(name, f.pdf_bytes(name))


# --- Scenes -----------------------------------------------------------------------------------


def pdd_fields(world, prefix=""):
    data = f.pdd_data(world.host, world.version)
    return {prefix + k: str(v.pk if hasattr(v, "pk") else v.isoformat() if isinstance(v, datetime.date) else v)
            for k, v in data.items()}


def test_fuzz_draft_forms(settings, world, activity):
    page = a_url("activity-detail", activity)
    targets = [
        Target("activity-create", world.ama, reverse("activity-create"), reverse("activity-create"), pdd_fields(world)),
        Target("activity-edit", world.ama, a_url("activity-edit", activity), a_url("activity-edit", activity),
               pdd_fields(world) | {"title": "Renamed"}),
        Target("activity-engage-doe", world.ama, a_url("activity-engage-doe", activity), page,
               {"engage-doe": str(world.orgs["doe"].pk)}),
        Target("document-upload", world.ama, a_url("document-upload", activity), page,
               {"upload-kind": "pdd", "upload-title": "PDD"}, {"upload-file": pdf_factory("pdd.pdf")}),
        Target("activity-transition", world.ama, a_url("activity-transition", activity, name="withdraw"), page,
               {"t-withdraw-comment": "Financing fell through.", "t-withdraw-expected_state": "draft"}),
    ]
    run(settings, targets, "draft")


def test_get_only_pages_write_nothing(world, activity):
    """The views left out of the fuzzing only show: a POST to them writes nothing and is no 5xx."""
    client = Client()
    client.force_login(world.ama)
    services.document_upload(activity=activity, user=world.ama, kind="pdd", uploaded=f.pdf())
    version = activity.documents.get().versions.get()
    kwargs = {"activity-detail": {"reference": activity.reference},
              "document-download": {"reference": activity.reference, "version_id": version.pk},
              "period-detail": {"reference": activity.reference, "number": 1},
              "observed-event-detail": {"reference": activity.reference, "number": 1},
              "registry-account": {"number": "PACM-H-NOPE"}, "transition-detail": {"pk": 999_999},
              "stress-test-detail": {"pk": 999_999}}
    before = rows()
    for name in sorted(GET_ONLY):
        response = client.post(reverse(name, kwargs=kwargs.get(name)), {"title": "x", "quantity": str(2**64)})
        assert response.status_code < 500 and response.status_code != 302, name
    assert rows() == before


@pytest.fixture
def consultation(world, activity, advance_to):
    """Published for consultation, with one open finding (1) and one answered finding (2)."""
    activity = advance_to(activity, A.CONSULTATION)
    services.finding_raise(activity=activity, user=world.dora, kind="cl", text="Which meter?")
    second = services.finding_raise(activity=activity, user=world.dora, kind="car", text="Fix the baseline.")
    services.finding_answer(finding=second, user=world.ama, response="Fixed in v2.")
    return activity


def test_fuzz_consultation_forms(settings, world, consultation):
    activity, page = consultation, a_url("activity-detail", consultation)
    targets = [
        Target("host-approval-issue", world.dina, a_url("host-approval-issue", activity), page,
               {"host-sd_confirmation": "Fosters SD.", "host-ndc_relation": "Within the NDC.",
                "host-authorized_participants": str(world.orgs["dev"].pk)}),
        Target("authorization-statement-issue", world.dina, a_url("authorization-statement-issue", activity), page,
               {"auth-uses": "oimp", "auth-first_transfer": "issuance", "auth-quantity_cap": "50000",
                "auth-vintage_from": "2026", "auth-vintage_to": "2030", "auth-change_terms": "By notice.",
                "auth-effective_from": "2026-01-01"}),
        Target("finding-raise", world.dora, a_url("finding-raise", activity), page,
               {"finding-kind": "cl", "finding-text": "Which baseline?"}),
        Target("finding-act", world.ama, a_url("finding-act", activity, number=1, action="answer"), page,
               {"answer-1-response": "The main meter."}),
        Target("finding-act", world.dora, a_url("finding-act", activity, number=2, action="reopen"), page,
               {"reopen-2-comment": "Not fixed."}),
    ]
    for target in targets:
        fuzz(settings, target)
    assert {t.name for t in targets} == SCENES["consultation"]


def test_fuzz_registration_forms(settings, world, activity, advance_to):
    activity = advance_to(activity, A.REGISTRATION_REQUESTED)
    fee = activity.fees.get()
    page = a_url("activity-detail", activity)
    pay = Target("fee-record-payment", world.sam, a_url("fee-record-payment", activity, fee_id=fee.pk), page,
                 {f"fee-{fee.pk}-reference": "WIRE-001"})
    check = Target("activity-transition", world.sam,
                   a_url("activity-transition", activity, name="start_completeness_check"), page,
                   {"t-start_completeness_check-comment": "", "t-start_completeness_check-expected_state": activity.state})
    assert {pay.name, check.name} == SCENES["registration"]
    fuzz(settings, pay)
    services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-001")  # the check starts once paid
    fuzz(settings, check)


@pytest.fixture
def periods(world, removals, submit, drive):
    """Period 1 issued; 2 under verification (report and a finding); 3 verified; 4 issuance requested."""
    first = drive(submit(removals), P.ISSUED)
    second = drive(submit(removals, number=2, claims={first.end.year + 1: 1_000}), P.UNDER_VERIFICATION)
    services.document_upload(activity=removals, user=world.dora, kind="verification_report", uploaded=f.pdf("v.pdf"),
                             period=second)
    services.finding_raise(activity=removals, user=world.dora, kind="cl", text="Which meter?", period=second)
    third = drive(submit(removals, number=3, claims={first.end.year + 2: 2_000}), P.VERIFIED)
    fourth = drive(submit(removals, number=4, claims={first.end.year + 3: 3_000}), P.ISSUANCE_REQUESTED)
    world.newcomer = f.organisation("Volta Carbon", Organisation.Kind.PARTICIPANT, party=world.host,
                                    authorized_by_party=True)  # no holding account yet
    return removals, second, third, fourth


def test_fuzz_monitoring_and_registry_forms(settings, world, periods):
    activity, second, third, fourth = periods
    fee = fourth.fees.get(kind="issuance")
    last = activity.monitoring_periods.order_by("-number").first()
    start = last.end + datetime.timedelta(days=1)
    vintage = str(second.claims.get().vintage)
    account = reverse("registry-account", kwargs={"number": "PACM-H-DEV-1"})
    move = {"activity": str(activity.pk), "vintage": "", "quantity": "10"}
    targets = [
        Target("period-submit", world.ama, a_url("period-submit", activity), a_url("period-submit", activity),
               {"start": start.isoformat(), "end": (start + datetime.timedelta(days=364)).isoformat(), "comment": "",
                "claims-TOTAL_FORMS": "4", "claims-INITIAL_FORMS": "0", "claims-MIN_NUM_FORMS": "0",
                "claims-MAX_NUM_FORMS": "12", "claims-0-vintage": str(start.year), "claims-0-quantity": "100"},
               {"report": pdf_factory()}),
        Target("period-certify", world.dora, p_url("period-certify", second), p_url("period-detail", second),
               {f"certify-verified_{vintage}": "900", "certify-comment": "Verified."}),
        Target("period-document-upload", world.dora, p_url("period-document-upload", second),
               p_url("period-detail", second), {"upload-kind": "verification_report", "upload-title": "VR"},
               {"upload-file": pdf_factory("vr.pdf")}),
        Target("period-finding-raise", world.dora, p_url("period-finding-raise", second),
               p_url("period-detail", second), {"finding-kind": "car", "finding-text": "Recalibrate."}),
        Target("period-finding-act", world.ama, p_url("period-finding-act", second, finding_number=1, action="answer"),
               p_url("period-detail", second), {"answer-1-response": "Meter M1."}),
        Target("period-transition", world.ama, p_url("period-transition", second, name="withdraw"),
               p_url("period-detail", second),
               {"t-withdraw-comment": "Wrong dates.", "t-withdraw-expected_state": second.state}),
        Target("period-request-issuance", world.dora, p_url("period-request-issuance", third),
               p_url("period-detail", third),
               {"issue-units_requested": "2000", "issue-omge_rate": "", "issue-comment": "",
                "lines-TOTAL_FORMS": "3", "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0",
                "lines-MAX_NUM_FORMS": "50", "lines-0-account": "PACM-H-DEV-1", "lines-0-units": "",
                "lines-0-percent": "100"}),
        Target("period-fee-record-payment", world.sam, p_url("period-fee-record-payment", fourth, fee_id=fee.pk),
               p_url("period-detail", fourth), {f"fee-{fee.pk}-reference": "WIRE-ISS"}),
        Target("registry-transfer", world.ama, reverse("registry-transfer", kwargs={"number": "PACM-H-DEV-1"}),
               account, {"transfer-to_account": "PACM-H-DEV-2", **{f"transfer-{k}": v for k, v in move.items()}}),
        Target("registry-cancel", world.ama, reverse("registry-cancel", kwargs={"number": "PACM-H-DEV-1"}), account,
               {"cancel-purpose": "Voluntary claim", "cancel-beneficiary": "",
                **{f"cancel-{k}": v for k, v in move.items()}}),
        Target("registry-use", world.ama, reverse("registry-use", kwargs={"number": "PACM-H-DEV-1"}), account,
               {"use-use": "voluntary", "use-party": "", "use-purpose": "Claim", "use-beneficiary": "",
                **{f"use-{k}": v for k, v in move.items()}}),
        Target("registry-account-open", world.sam, reverse("registry-account-open"), reverse("registry-accounts"),
               {"open-organisation": str(world.newcomer.pk), "open-name": "Volta holding"}),
    ]
    # The request form is posted both ways: a preview (writes nothing) and a submission.
    preview = Target("period-request-issuance", world.dora, targets[6].url, targets[6].page,
                     {**targets[6].data, "preview": "1"})
    run(settings, targets, "monitoring")
    fuzz(settings, preview)


@pytest.fixture
def reversals(world, removals, submit, drive):
    """A6.4-STAN-METH-002 v01.0 paras 21-25, 43-58: an avoidable reversal remediated and lifted
    (replenishment owed), one with a verified monitoring report (the SB determines), one ongoing
    (its end is recorded), one ended in assessment (its preliminary report comes), a report due."""
    from django.utils import timezone

    from projects.reversals import services as rev

    from .conftest import observed_event

    drive(submit(removals), P.ISSUED)
    owed = observed_event(world, removals, until="full_verified")
    owed = rev.event_determine_reversal(event=owed, user=world.sofia, authorized=100, contribution=0, avoidable=True,
                                        comment="Illegal logging")
    owed = rev.event_lift_suspension(event=rev.event_cancel_from_buffer(event=owed, user=world.sam), user=world.sofia,
                                     comment="Remediated")
    determine = observed_event(world, removals, until="full_verified")
    today = timezone.localdate()
    ongoing = rev.observed_event_notify(activity=removals, user=world.ama, description="Fire", location="Plot 9",
                                        occurred_from=today, aware_on=today)
    ended = observed_event(world, removals)
    version = removals.methodology_version
    version.first_report_max_years = version.report_interval_max_years = 5
    version.save()
    rev.report_dues_sync()
    return removals, {"owed": owed, "determine": determine, "ongoing": ongoing, "ended": ended}


def test_fuzz_reversal_forms(settings, world, reversals):
    activity, events = reversals
    page = a_url("activity-detail", activity)

    def write(event, name):
        kwargs = {"reference": activity.reference, "number": event.number}
        return (reverse("observed-event-write", kwargs={**kwargs, "name": name}),
                reverse("observed-event-detail", kwargs=kwargs))

    today = datetime.date.today().isoformat()
    owed, determine, ongoing, ended = (events[k] for k in ("owed", "determine", "ongoing", "ended"))
    targets = [
        Target("observed-event-notify", world.ama, a_url("observed-event-notify", activity), page,
               {"observed-description": "Storm damage", "observed-location": "Plot 3",
                "observed-occurred_from": today, "observed-occurred_to": today, "observed-aware_on": today}),
        Target("observed-event-write", world.sofia, *write(determine, "determine_reversal"),
               {"w-determine_reversal-authorized": "25", "w-determine_reversal-contribution": "0",
                "w-determine_reversal-avoidable": "no", "w-determine_reversal-comment": "Para 48",
                "w-determine_reversal-expected_state": determine.state}),
        Target("observed-event-write", world.ama, *write(owed, "replenish_buffer"),
               {"w-replenish_buffer-from_account": str(world.acct.pk), "w-replenish_buffer-unit_type": "authorized",
                "w-replenish_buffer-quantity": "40"}),
        Target("observed-event-write", world.ama, *write(ongoing, "record_event_end"),
               {"w-record_event_end-occurred_to": today}),
        Target("observed-event-write", world.ama, *write(ended, "submit_preliminary"),
               {"w-submit_preliminary-comment": "", "w-submit_preliminary-expected_state": ended.state},
               {"w-submit_preliminary-report": pdf_factory("preliminary.pdf")}),
        Target("report-due-write", world.ama,
               reverse("report-due-write", kwargs={"reference": activity.reference, "number": 1,
                                                   "name": "request_extension"}), page,
               {"w-request_extension-requested_due_on": "2199-01-01", "w-request_extension-comment": "Cyclone",
                "w-request_extension-expected_state": "open"}),
    ]
    run(settings, targets, "reversals")


def test_fuzz_risk_revision_form(settings, world, removals):
    """pacm issue 10: the participants' revised rating (A6.4-STAN-METH-002 paras 38, 41)."""
    from projects.risk.services import activity_risk_revision_require, revision_schedule

    revision_schedule(activity=removals, number=1)
    activity_risk_revision_require(activity=removals, user=world.sofia, comment="After the fire")
    services.document_upload(activity=removals, user=world.ama, kind="risk_assessment", uploaded=f.pdf("risk.pdf"))
    key = "risk-1-submit_revision"
    target = Target("risk-revision-act", world.ama, a_url("risk-revision-act", removals, number=1,
                                                          name="submit_revision"),
                    a_url("activity-detail", removals),
                    {f"{key}-rating": "12.5", f"{key}-negligible": "", f"{key}-comment": "", f"{key}-expected_state": "due"})
    run(settings, [target], "risk")


@pytest.fixture
def comments(world, consultation, django_capture_on_commit_callbacks):
    """Two published comments of the consultation: 1 waits for an answer, 2 for the DOE's assessment."""
    from django.core import mail

    from projects.consultation import services as gsc

    published = []
    for n in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            gsc.comment_submit(subject=consultation, author_name=f"Stakeholder {n}", email=f"s{n}@example.org",
                               text="The baseline ignores the new hydro plant.", ip="198.51.100.1")
        token = re.search(r"/consultation/confirm/([^/\s]+)/", mail.outbox[-1].body).group(1)
        published.append(gsc.comment_confirm(token=token))
    gsc.comment_answer(comment=published[1], user=world.ama, text="Added to the baseline.")
    return consultation, token


def test_fuzz_consultation_comment_forms(settings, world, comments):
    """Issue 7: the comment form (anyone; here a logged-in visitor), the participants' answer, the
    DOE's assessment; the confirmation link takes its token in the URL only."""
    activity, token = comments
    page = a_url("activity-detail", activity)
    targets = [
        Target("consultation-comment", world.kofi, a_url("consultation-comment", activity), page,
               {"gsc-author_name": "Abena Mensah", "gsc-organisation": "Friends of the Volta",
                "gsc-email": "abena@example.org", "gsc-text": "The baseline ignores the grid's new plant."}),
        Target("consultation-answer", world.ama, a_url("consultation-answer", activity, number=1), page,
               {"answer-1-text": "Taken into account in PDD v2, section B.4."}),
        Target("consultation-assess", world.dora, a_url("consultation-assess", activity, number=2), page,
               {"assess-2-outcome": "taken", "assess-2-text": "Taken into due account."}),
    ]
    for target in targets:
        fuzz(settings, target)
    confirm_tokens(token)
    assert {t.name for t in targets} | {"consultation-confirm"} == SCENES["gsc"]


def _published_comments(world, subject, capture, *, answered):
    """Two published comments on `subject`: 1 waits for an answer; 2 is answered when `answered`."""
    from django.core import mail

    from projects.consultation import services as gsc

    published = []
    for n in range(2):
        with capture(execute=True):
            gsc.comment_submit(subject=subject, author_name=f"Stakeholder {n}", email=f"s{n}@example.org",
                               text="The baseline ignores the new hydro plant.", ip="198.51.100.1")
        token = re.search(r"/consultation/confirm/([^/\s]+)/", mail.outbox[-1].body).group(1)
        published.append(gsc.comment_confirm(token=token))
    if answered:
        gsc.comment_answer(comment=published[1], user=world.ama, text="Added to the baseline.")


def test_fuzz_later_consultation_comment_forms(settings, world, time_machine, django_capture_on_commit_callbacks):
    """Issue 7, third round: the comment, answer and assessment forms on a PoA in consultation
    (PROC-AC-003 v03.0 paras 21-29) and the comment and answer on a transition request in its
    consultation (PROC-AC-001 v06.0 paras 17-18; nobody assesses those)."""
    from projects.poa import services as poa_services
    from projects.transition.cycle import TransitionState as TS
    from tests.poa.conftest import poa_data, reach_poa
    from tests.transition.helpers import create, drive

    request = drive(world, time_machine, create(world, time_machine, cdm_reference="9"), TS.CONSULTATION)
    _published_comments(world, request, django_capture_on_commit_callbacks, answered=False)
    poa = reach_poa(world, poa_services.poa_create(**poa_data(world)), A.CONSULTATION)
    _published_comments(world, poa, django_capture_on_commit_callbacks, answered=True)
    poa_page = reverse("poa-detail", kwargs={"reference": poa.reference})
    request_page = reverse("transition-detail", kwargs={"pk": request.pk})
    comment = {"gsc-author_name": "Abena Mensah", "gsc-organisation": "Friends of the Volta",
               "gsc-email": "abena@example.org", "gsc-text": "The baseline ignores the grid's new plant."}
    poa_kw, request_kw = {"reference": poa.reference}, {"pk": request.pk}
    targets = [
        Target("poa-consultation-comment", world.kofi, reverse("poa-consultation-comment", kwargs=poa_kw),
               poa_page, comment),
        Target("poa-consultation-answer", world.ama,
               reverse("poa-consultation-answer", kwargs={**poa_kw, "number": 1}), poa_page,
               {"answer-1-text": "Taken into account in PoA-DD v2."}),
        Target("poa-consultation-assess", world.dora,
               reverse("poa-consultation-assess", kwargs={**poa_kw, "number": 2}), poa_page,
               {"assess-2-outcome": "taken", "assess-2-text": "Taken into due account."}),
        Target("transition-consultation-comment", world.kofi,
               reverse("transition-consultation-comment", kwargs=request_kw), request_page, comment),
        Target("transition-consultation-answer", world.ama,
               reverse("transition-consultation-answer", kwargs={**request_kw, "number": 1}), request_page,
               {"answer-1-text": "Surveys resumed in 2022; see the addendum."}),
    ]
    run(settings, targets, "gsc-later")


@seed(7)
@settings(max_examples=EXAMPLES * 3, database=None, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(bad=st.one_of(st.sampled_from([t for t in FIXED if t and "/" not in t and "\x00" not in t]),
                     st.text(st.characters(categories=["Lu", "Ll", "Nd", "Pd", "Cf", "Lo"]), min_size=1, max_size=80)))
def _hostile_token(bad):
    client = Client()
    for method in (client.get, client.post):
        sid = transaction.savepoint()
        try:
            before = rows()
            response = method(reverse("consultation-confirm", kwargs={"token": bad}))
            assert response.status_code == 404, (bad, response.status_code)
            assert rows() == before
        finally:
            transaction.savepoint_rollback(sid)


def confirm_tokens(token):
    """The confirmation link: a hostile or tampered token is a 404 that writes nothing; the real one
    publishes once."""
    _hostile_token()
    client = Client()
    for bad in (token[:-1] + ("A" if token[-1] != "A" else "B"), token + "x", token.upper()):
        assert client.post(reverse("consultation-confirm", kwargs={"token": bad})).status_code == 404


def test_fuzz_transition_forms(settings, world, time_machine):
    """The CDM transition request's forms (projects.transition), each in the state that offers it."""
    from projects.transition.cycle import TransitionState as TS
    from tests.transition.helpers import HOST_APPROVES_AT, create, drive, request_data

    def at(state, cdm):
        return drive(world, time_machine, create(world, time_machine, cdm_reference=cdm), state)

    from projects.transition import services as ts

    # The ones whose review window has closed first: a later timer pass would close the others'.
    done = create(world, time_machine, cdm_reference="8")
    provisional = ts.transition_request_record_provisional(
        request=done, user=world.ama, cdm_request_reference="8-MR1", period_start=datetime.date(2021, 1, 1),
        period_end=datetime.date(2021, 12, 31), quantity=1000)
    done = drive(world, time_machine, done, TS.TRANSITIONED)
    approved = at(TS.APPROVED, "5")
    under = ts.transition_request_request_review(request=at(TS.REVIEW_WINDOW, "6"), user=world.sofia, comment="x")
    review, fee = at(TS.REVIEW_WINDOW, "4"), at(TS.DOCUMENTATION_SUBMITTED, "3")
    host, docs = at(TS.AWAITING_HOST, "1"), at(TS.HOST_APPROVED, "2")
    time_machine.move_to(HOST_APPROVES_AT + datetime.timedelta(hours=1), tick=False)

    def act(request, name):
        return reverse("transition-act", kwargs={"pk": request.pk, "name": name})

    def page(request):
        return reverse("transition-detail", kwargs={"pk": request.pk})

    new = {k: str(v.pk if hasattr(v, "pk") else v.isoformat() if isinstance(v, datetime.date) else v)
           for k, v in request_data(world, cdm_reference="7").items()}
    targets = [
        Target("transition-create", world.ama, reverse("transition-create"), reverse("transition-create"),
               new | {"kind": "project"}),
        Target("transition-act", world.dina, act(host, "approve_transition"), page(host),
               {"t-sd_confirmation": "SD", "t-ndc_relation": "NDC"}),
        Target("transition-act", world.ama, act(docs, "submit_documentation"), page(docs),
               {"t-documentation": "addendum", "t-summary": "Addendum", "t-fnrb": "0.8430"}),
        Target("transition-act", world.sam, act(fee, "record_fee_payment"), page(fee), {"t-reference": "WIRE"}),
        Target("transition-act", world.sam, act(review, "record_summary_note"), page(review), {"t-note": "Approve"}),
        Target("transition-act", world.sofia, act(review, "request_review"), page(review),
               {"t-comment": "fNRB", "t-expected_state": "review_window"}),
        # The Board panel offers the decision (projects.board; no longer a card posting to transition-act).
        Target("board-subject-record", world.sam,
               reverse("board-subject-record", kwargs={"kind": "transition", "pk": under.pk}), page(under),
               {"board-meeting-transition": "approve", "board-meeting-meeting": "SBM016",
                "board-meeting-agenda_item": "4.2", "board-meeting-outcome": "adopted",
                "board-meeting-by": "consensus", "board-meeting-comment": "ok"}),
        Target("board-subject-open", world.sam,
               reverse("board-subject-open", kwargs={"kind": "transition", "pk": under.pk}), page(under),
               {"board-open-transition": "approve", "board-open-comment": "Approve (para 46(a))."}),
        Target("transition-act", world.sam, act(approved, "record_cdm_deregistration"), page(approved),
               {"t-date": "2025-03-01"}),
        Target("transition-act", world.ama, act(docs, "record_provisional_issuance"), page(docs),
               {"t-cdm_request_reference": "2-MR1", "t-period_start": "2021-01-01", "t-period_end": "2021-12-31",
                "t-quantity": "1000"}),
        Target("transition-act", world.ama, act(done, "request_provisional_finalisation"), page(done),
               {"t-item": str(provisional.pk), "t-revised_monitoring_report": "GWPs",
                "t-double_issuance_declared": "on"}),
    ]
    run(settings, targets, "transition")


def test_fuzz_board_forms(settings, world, advance_to, registered, submit, drive):
    """The Board panel (projects.board): the secretariat records a meeting's decision or opens an
    electronic one on an activity under SB review (A6.4-PROC-AC-002 v03.0 paras 85-89) and on a
    period under SB review; a member votes on an open decision (RMP para 4)."""
    from projects.board.services import board_decision_open_electronic

    second = services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version, title="Under review"))
    under = services.activity_request_review(activity=advance_to(second, A.REVIEW_WINDOW), user=world.sofia,
                                             comment="Check the baseline.")
    period = services.period_request_issuance_review(period=drive(submit(registered), P.ISSUANCE_REVIEW_WINDOW),
                                                     user=world.sofia, comment="Check the leakage.")
    meeting = {"board-meeting-meeting": "SBM019", "board-meeting-agenda_item": "4.2",
               "board-meeting-outcome": "adopted", "board-meeting-by": "consensus", "board-meeting-comment": "ok"}
    a_page, p_page = a_url("activity-detail", under), p_url("period-detail", period)
    targets = [
        Target("board-activity-record", world.sam, a_url("board-activity-record", under), a_page,
               {**meeting, "board-meeting-transition": "register"}),
        Target("board-activity-open", world.sam, a_url("board-activity-open", under), a_page,
               {"board-open-transition": "register", "board-open-comment": "Register (RMP 49)."}),
        Target("board-period-record", world.sam, p_url("board-period-record", period), p_page,
               {**meeting, "board-meeting-transition": "approve_issuance"}),
        Target("board-period-open", world.sam, p_url("board-period-open", period), p_page,
               {"board-open-transition": "approve_issuance", "board-open-comment": "Approve."}),
    ]
    for target in targets:
        fuzz(settings, target)
    # Once a decision is open, its members vote on the subject's page.
    decision = board_decision_open_electronic(subject=under, transition="register", user=world.sam, comment="Register.")
    vote = Target("board-vote", world.sofia, reverse("board-vote", kwargs={"pk": decision.pk}), a_page,
                  {"board-vote-choice": "yes"})
    fuzz(settings, vote)
    assert {t.name for t in [*targets, vote]} == SCENES["board"]


def test_fuzz_mrv_key_form(settings, world, registered):
    """The MRV keys page's form (projects.dmrv): its one-time submission key, mangled, never a 500 and never a
    key written by a refusal."""
    page = reverse("mrv-keys", args=[registered.reference])
    # A key registered answers 200 with the page showing its secret once (no redirect: the secret is never stored
    # in a session or a message).
    run(settings, [Target("mrv-keys", world.ama, page, page, {},
                          accepted=lambda response: bool(response.context and response.context.get("created")))],
        "dmrv")


def test_fuzz_demo_clock_form(settings, world, activity, advance_to):
    """pacm issue 9: the demo clock's button, in a demo database, on an activity in consultation."""
    from pacm.common import clock
    from pacm.demo.services import demo_mark

    settings.PACM_DEMO_CLOCK = True
    demo_mark()
    clock.forget()
    activity = advance_to(activity, A.CONSULTATION)
    page = a_url("activity-detail", activity)
    try:
        run(settings, [Target("activity-demo-advance", world.ama, a_url("activity-demo-advance", activity), page,
                              {"expected_state": activity.state})], "demo")
    finally:
        clock.forget()


def test_fuzz_removals_forms(settings, world, removals):
    """A6.4-STAN-METH-002 v01.0 para 28: the request to end post-crediting monitoring and the SB's
    answer to it; paras 60-61: the buffer stress test's inputs, as the secretariat."""
    from projects.removals.services import termination_request
    from tests.issuance.conftest import period_dates

    Activity.objects.filter(pk=removals.pk).update(crediting_end=period_dates(removals, 1)[1])
    ended = Activity.objects.get(pk=removals.pk)
    page = a_url("activity-detail", ended)
    request_target = Target("termination-request", world.ama, a_url("termination-request", ended), page,
                            {"termination-ground": "negligible_risk", "termination-demonstration": "Basalt."},
                            {"termination-evidence": pdf_factory("evidence.pdf")})
    fuzz(settings, request_target)  # while no request is pending the form is offered
    termination = termination_request(activity=ended, user=world.ama, ground="remediated", demonstration="Insured.")
    stress = reverse("stress-tests")
    targets = [
        request_target,
        Target("termination-write", world.sofia,
               a_url("termination-write", ended, number=termination.number, name="grant_termination"), page,
               {"w-grant_termination-comment": "Shown (para 28(b)).", "w-grant_termination-expected_state": "requested"}),
        Target("stress-tests", world.sam, stress, stress,
               {"stress-largest": "3", "stress-region": "africa", "stress-region_share": "100",
                "stress-band_low": "0", "stress-band_high": "100", "stress-band_share": "50"}),
    ]
    assert {t.name for t in targets} == SCENES["removals"]
    for target in targets[1:]:
        fuzz(settings, target)
