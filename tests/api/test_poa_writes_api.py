"""The PoA's and the CP's own-form writes through POST .../actions/{name} (pacm issue 9;
projects/poa/api_writes.py): each read by the PoA page's own form, then the service its view
calls; the exact event recorded; bad input a problem document naming the field, nothing changed.

The two-country PoA of tests/poa/conftest.py: ama coordinates it, dora validates it, dina is
Ghana's DNA and nils Kenya's (each approves for its own Party only, PROC-AC-003 v03.0 para 26),
sam is the secretariat."""
import pytest

from pacm.events.models import Event
from projects.cycle import ActivityState as A
from projects.models import Finding
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.models import ComponentProject, PoAHost
from tests import factories as f
from tests.poa.conftest import cp_data, host, notify_cp, poa_data, reach_poa

pytestmark = pytest.mark.django_db


@pytest.fixture
def programme(world):
    """The two-country PoA, drafted by ama (tests/poa/conftest.py)."""
    return poa_services.poa_create(**poa_data(world))


def _post(client, path, body):
    return client.post(path, body, content_type="application/json")


def _last(stream):
    return Event.objects.filter(stream=stream).order_by("-sequence").values_list("sequence", flat=True).first() or 0


def _new(stream, before):
    return [(e.kind, e.role, e.actor_id)
            for e in Event.objects.filter(stream=stream, sequence__gt=before).order_by("sequence")]


def _url(poa, name):
    return f"/api/v1/poas/{poa.reference}/actions/{name}"


APPROVAL = {"sd_confirmation": "Fosters sustainable development.", "ndc_relation": "Within the NDC."}


# --- Each host's DNA approves for its own Party, with its cap (PROC-AC-003 v03.0 paras 25(d), 26) -------

def test_each_hosts_dna_approves_the_poa_with_its_cap(world, programme, bearer):
    """PROC-AC-003 v03.0 paras 25-26: dina (Ghana) and nils (Kenya) each approve their own host row
    with the maximum annual amount of that Party's CPs; one poa.host_approved event each."""
    poa = reach_poa(world, programme, A.PRIOR_CONSIDERATION)
    for iso2, user, cap in (("GH", world.dina, 50_000), ("KE", world.nils, 30_000)):
        row = host(poa, iso2)
        before = _last(poa.stream)
        done = _post(bearer(user), _url(poa, "issue_host_approval"),
                     {"item": row.pk, "inputs": {"max_annual": cap, **APPROVAL}})
        assert done.status_code == 200, done.content
        assert _new(poa.stream, before) == [("poa.host_approved", "dna", user.pk)]
        event = Event.objects.get(stream=poa.stream, sequence__gt=before)
        assert event.payload["max_annual"] == cap and event.payload["party"] == row.party.name
        assert [e["kind"] for e in done.json()["events"]] == ["poa.host_approved"]
        assert PoAHost.objects.get(pk=row.pk).max_annual == cap


def test_another_hosts_dna_is_refused_and_bad_input_names_the_field(world, programme, bearer):
    """Para 26: Kenya's DNA may not approve Ghana's part (403, not offered); a missing cap (para
    25(d)) is a problem naming max_annual; nothing changes."""
    poa = reach_poa(world, programme, A.PRIOR_CONSIDERATION)
    ghana = host(poa, "GH")
    nils, dina = bearer(world.nils), bearer(world.dina)
    before = _last(poa.stream)
    foreign = _post(nils, _url(poa, "issue_host_approval"), {"item": ghana.pk, "inputs": {"max_annual": 1, **APPROVAL}})
    assert foreign.status_code == 403 and foreign.json()["code"] == "not_offered"
    no_item = _post(dina, _url(poa, "issue_host_approval"), {"inputs": {"max_annual": 1, **APPROVAL}})
    assert no_item.status_code == 400 and no_item.json()["field"] == "item"
    no_cap = _post(dina, _url(poa, "issue_host_approval"), {"item": ghana.pk, "inputs": APPROVAL})
    assert no_cap.status_code == 400 and no_cap.json()["field"] == "max_annual"
    assert no_cap["Content-Type"] == "application/problem+json" and no_cap.json()["code"] == "invalid_input"
    not_a_number = _post(dina, _url(poa, "issue_host_approval"),
                         {"item": ghana.pk, "inputs": {"max_annual": "lots", **APPROVAL}})
    assert not_a_number.status_code == 400 and not_a_number.json()["field"] == "max_annual"
    bad_item = _post(dina, _url(poa, "issue_host_approval"), {"item": "ghana", "inputs": APPROVAL})
    assert bad_item.status_code == 422 and bad_item.json()["field"] == "item"
    assert _new(poa.stream, before) == [] and PoAHost.objects.get(pk=ghana.pk).max_annual is None


# --- Findings on the PoA: the DOE raises and closes, the CME answers -----------------------------------

def test_a_finding_is_raised_answered_and_closed_through_the_api(world, programme, bearer):
    poa = reach_poa(world, programme, A.UNDER_VALIDATION)
    dora, ama = bearer(world.dora), bearer(world.ama)
    before = _last(poa.stream)
    bad = _post(dora, _url(poa, "raise_finding"), {"inputs": {"kind": "nonsense", "text": "x"}})
    assert bad.status_code == 400 and bad.json()["field"] == "kind"
    assert _new(poa.stream, before) == [] and not Finding.objects.filter(activity=poa).exists()
    raised = _post(dora, _url(poa, "raise_finding"), {"inputs": {"kind": "car", "text": "The baseline is unclear."}})
    assert raised.status_code == 200, raised.content
    finding = Finding.objects.get(activity=poa)
    assert _new(poa.stream, before) == [("finding.raised", "doe", world.dora.pk)]
    mid = _last(poa.stream)
    answered = _post(ama, _url(poa, "answer_finding"), {"item": finding.pk, "inputs": {"response": "Clarified."}})
    assert answered.status_code == 200, answered.content
    assert _new(poa.stream, mid) == [("finding.answered", "participant", world.ama.pk)]
    mid = _last(poa.stream)
    not_theirs = _post(ama, _url(poa, "close_finding"), {"item": finding.pk, "comment": "Done."})
    assert not_theirs.status_code == 403 and not_theirs.json()["code"] == "not_offered"
    closed = _post(dora, _url(poa, "close_finding"), {"item": finding.pk, "comment": "Resolved."})
    assert closed.status_code == 200, closed.content
    assert _new(poa.stream, mid) == [("finding.closed", "doe", world.dora.pk)]
    assert Finding.objects.get(pk=finding.pk).status == "closed"


# --- The PoA's registration fee, recorded by the secretariat ---------------------------------------

def test_the_secretariat_records_the_poa_fee_payment(world, programme, bearer):
    poa = reach_poa(world, programme, A.REGISTRATION_REQUESTED)
    fee = poa.fees.get(kind="registration")
    before = _last(poa.stream)
    ama = _post(bearer(world.ama), _url(poa, "record_fee_payment"), {"item": fee.pk, "inputs": {"reference": "W-1"}})
    assert ama.status_code == 403 and ama.json()["code"] == "not_offered"
    sam = bearer(world.sam)
    blank = _post(sam, _url(poa, "record_fee_payment"), {"item": fee.pk, "inputs": {"reference": " "}})
    assert blank.status_code == 400 and blank.json()["field"] == "reference"
    assert _new(poa.stream, before) == []
    done = _post(sam, _url(poa, "record_fee_payment"), {"item": fee.pk, "inputs": {"reference": "WIRE-POA-7"}})
    assert done.status_code == 200, done.content
    assert _new(poa.stream, before) == [("fee.paid", "secretariat", world.sam.pk)]
    fee.refresh_from_db()
    assert fee.status == "paid" and fee.payment_reference == "WIRE-POA-7"


# --- A CP's inclusion notified through the CME: the answer names the new CP (para 91) ---------------

def _cp_inputs(world, poa):
    data = cp_data(world, poa)
    return {"title": data["title"], "host": data["host"].pk, "participants": [world.orgs["dev2"].pk],
            "doe": world.orgs["doe2"].pk, "location": data["location"], "technologies": data["technologies"],
            "start_date": str(data["start_date"]), "crediting_type": data["crediting_type"],
            "crediting_start": str(data["crediting_start"]), "crediting_end": str(data["crediting_end"]),
            "estimated_annual": data["estimated_annual"]}


def test_the_cme_notifies_a_cp_and_the_answer_is_the_new_cp(world, programme, bearer):
    """PROC-AC-003 v03.0 para 91: once the PoA-DD is published, the CME notifies a CP's inclusion."""
    poa = reach_poa(world, programme, A.CONSULTATION)
    ama = bearer(world.ama)
    before = _last(poa.stream)
    bad = _post(ama, _url(poa, "notify_inclusion"), {"inputs": {**_cp_inputs(world, poa), "host": 999_999}})
    assert bad.status_code == 400 and bad.json()["field"] == "host"
    assert _new(poa.stream, before) == [] and not ComponentProject.objects.filter(poa=poa).exists()
    done = _post(ama, _url(poa, "notify_inclusion"), {"inputs": _cp_inputs(world, poa)})
    assert done.status_code == 200, done.content
    cp = ComponentProject.objects.get(poa=poa)
    assert done.json()["created"] == {"kind": "component", "reference": cp.reference, "state": C.NOTIFIED}
    assert done.json()["subject"] == {"kind": "poa", "reference": poa.reference, "state": A.CONSULTATION}
    assert _new(poa.stream, before) == [("cp.notified", "participant", world.ama.pk)]
    assert [e["kind"] for e in done.json()["events"]] == ["cp.notified"]
    assert cp.host.party.iso2 == "GH" and list(cp.participants.all()) == [world.orgs["dev2"]]


# --- The design, until the PoA-DD is published (paras 16(d), 20) -------------------------------------

def test_the_cme_edits_the_design(world, programme, bearer):
    poa = programme
    ama = bearer(world.ama)
    before = _last(poa.stream)
    empty = _post(ama, _url(poa, "edit_design"), {"inputs": {"criteria": "", "typical_cps": "x"}})
    assert empty.status_code == 400 and empty.json()["field"] == "criteria"
    done = _post(ama, _url(poa, "edit_design"), {"inputs": {"criteria": "One.\nTwo.\nThree.", "typical_cps": "Stoves."}})
    assert done.status_code == 200, done.content
    assert _new(poa.stream, before) == [("poa.design_edited", "participant", world.ama.pk)]
    assert [c.text for c in poa.eligibility_criteria.order_by("number")] == ["One.", "Two.", "Three."]


def test_the_cme_engages_the_validation_doe(world, programme, bearer):
    poa = reach_poa(world, programme, A.PRIOR_CONSIDERATION)
    ama = bearer(world.ama)
    before = _last(poa.stream)
    not_a_doe = _post(ama, _url(poa, "engage_doe"), {"inputs": {"doe": world.orgs["dev2"].pk}})
    assert not_a_doe.status_code == 400 and not_a_doe.json()["field"] == "doe"
    done = _post(ama, _url(poa, "engage_doe"), {"inputs": {"doe": world.orgs["doe"].pk}})
    assert done.status_code == 200, done.content
    assert _new(poa.stream, before) == [("activity.doe_engaged", "participant", world.ama.pk)]
    poa.refresh_from_db()
    assert poa.validation_doe == world.orgs["doe"]


# --- A file through the API: the CP's documents, multipart (the web's upload checks) -----------------

def test_a_cp_document_is_uploaded_as_multipart_with_the_webs_checks(world, programme, bearer):
    poa = reach_poa(world, programme, A.CONSULTATION)
    cp = notify_cp(world, poa)
    ama = bearer(world.ama)
    url = f"/api/v1/cps/{cp.reference}/actions/upload_document"
    listed = next(a for a in ama.get(f"/api/v1/cps/{cp.reference}/actions").json()["actions"]
                  if a["name"] == "upload_document")
    assert listed["in_api"] and listed["endpoint"] == f"{url}/upload"
    before = _last(poa.stream)
    as_json = _post(ama, url, {"inputs": {"kind": "cp_dd"}})
    assert as_json.status_code == 400 and as_json.json()["code"] == "multipart_required"
    assert as_json.json()["params"]["endpoint"] == f"{url}/upload"
    fake = ama.post(f"{url}/upload", {"inputs": '{"kind": "cp_dd"}',
                                      "file": f.pdf("cpdd.pdf", content=b"MZ not a pdf at all")})
    assert fake.status_code == 400 and fake.json()["field"] == "file", fake.content
    no_file = ama.post(f"{url}/upload", {"inputs": '{"kind": "cp_dd"}'})
    assert no_file.status_code == 400 and no_file.json()["field"] == "file"
    bad_json = ama.post(f"{url}/upload", {"inputs": "[1, 2", "file": f.pdf("cpdd.pdf")})
    assert bad_json.status_code == 400 and bad_json.json()["field"] == "inputs"
    not_hers = ama.post(f"{url}/upload", {"inputs": '{"kind": "cp_validation_report"}', "file": f.pdf("vr.pdf")})
    assert not_hers.status_code == 400 and not_hers.json()["field"] == "kind"
    assert _new(poa.stream, before) == []
    done = ama.post(f"{url}/upload", {"inputs": '{"kind": "cp_dd"}', "file": f.pdf("cpdd.pdf")})
    assert done.status_code == 200, done.content
    assert _new(poa.stream, before) == [("document.uploaded", "participant", world.ama.pk)]
    assert done.json()["subject"] == {"kind": "component", "reference": cp.reference, "state": C.NOTIFIED}
    assert poa.documents.filter(kind="cp_dd", title=cp.reference).exists()


def test_a_stranger_may_not_upload_on_the_cp(world, programme, bearer):
    poa = reach_poa(world, programme, A.CONSULTATION)
    cp = notify_cp(world, poa)
    before = _last(poa.stream)
    answer = bearer(world.sam).post(f"/api/v1/cps/{cp.reference}/actions/upload_document/upload",
                                    {"inputs": '{"kind": "cp_dd"}', "file": f.pdf("cpdd.pdf")})
    assert answer.status_code in (403, 404)
    assert _new(poa.stream, before) == []
