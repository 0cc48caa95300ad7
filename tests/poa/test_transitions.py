"""Every declared transition of the PoA's and the component project's machines (projects.poa.cycle):
the roles allowed to fire it succeed and record exactly the typed events expected; every other
persona, and anyone from a wrong state, is refused and nothing changes (PROC-AC-003 v03.0).

The timer transitions are in test_rules.py (the consultation's close, the review and appeal windows).
"""
import datetime

import pytest
import time_machine
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event, EventKind
from pacm.parties.roles import Role
from projects import services
from projects.cycle import ActivityState as A
from projects.models import Document, DocumentVersion, Fee
from projects.poa import events as poa_events
from projects.poa import services as poa_services
from projects.poa.cycle import CP_TRANSITIONS, POA_TRANSITIONS
from projects.poa.cycle import CPState as C
from projects.poa.models import ComponentProject, PoAHost, Programme

from .. import factories as f
from .conftest import approve_hosts, board, cp_docs, notify_cp, reach_cp, reach_poa

PERSONAS = ("ama", "kofi", "dora", "otto", "dina", "nils", "sam", "sofia")
# Who holds each role on the PoA: ama's organisation coordinates it, dora validates it, both
# hosts' DNAs (dina for Ghana, nils for Kenya).
POA_HOLDERS = {Role.PARTICIPANT: {"ama"}, Role.DOE: {"dora"}, Role.DNA: {"dina", "nils"}, Role.SECRETARIAT: {"sam"},
               Role.SB: {"sofia"}, Role.BOARD: set()}
# On the CP (in Ghana): its implementer kofi and the PoA's entity ama; its DOE otto; Ghana's DNA.
CP_HOLDERS = {Role.PARTICIPANT: {"ama", "kofi"}, Role.DOE: {"otto"}, Role.DNA: {"dina"}, Role.SECRETARIAT: {"sam"},
              Role.SB: {"sofia"}, Role.BOARD: set()}
ORG_OF = {"ama": "dev", "kofi": "dev2", "dora": "doe", "otto": "doe2", "dina": "dna", "nils": "dna2", "sam": "sec",
          "sofia": "sb"}


def _who(world, persona):
    return board(world) if persona == "board" else world.people[persona]


def _first(holders, role):
    return "board" if role == Role.BOARD else sorted(holders[role])[0]


def snapshot(poa):
    p = Programme.objects.get(pk=poa.pk)
    return {
        "state": p.state, "due_at": p.due_at, "doe": p.validation_doe_id,
        "events": Event.objects.count(),
        "fees": list(Fee.objects.filter(activity=p).values_list("pk", "status").order_by("pk")),
        "versions": DocumentVersion.objects.count(), "documents": Document.objects.count(),
        "hosts": list(PoAHost.objects.filter(poa=p).values_list("pk", "max_annual").order_by("pk")),
        "cps": list(ComponentProject.objects.filter(poa=p).values_list("pk", "state", "due_at").order_by("pk")),
        "approvals": p.host_approvals.count(), "authorizations": p.authorization_statements.count(),
    }


def new_events(poa, since):
    return list(Event.objects.filter(stream=poa.stream, sequence__gt=since).order_by("sequence"))


def last_sequence(poa):
    return Event.objects.filter(stream=poa.stream).order_by("-sequence").values_list("sequence", flat=True).first() or 0


# --- the PoA -----------------------------------------------------------------------------------

def reach(world, poa, state):
    """Any state of the PoA, through its declared writes."""
    if state == A.REQUEST_INCOMPLETE:
        poa = reach_poa(world, poa, A.COMPLETENESS_CHECK)
        return poa_services.poa_return_incomplete(poa=poa, user=world.sam, comment="Missing annex.")
    if state == A.UNDER_SB_REVIEW:
        poa = reach_poa(world, poa, A.REVIEW_WINDOW)
        return poa_services.poa_request_review(poa=poa, user=world.sofia, comment="Check the caps.")
    return reach_poa(world, poa, state)


def _prepare_poa(world, poa, name):
    if name == "accept_engagement":
        poa_services.poa_engage_doe(poa=poa, user=world.ama, doe=world.orgs["doe"])
    elif name == "publish_for_consultation":
        services.document_upload(activity=poa, user=world.ama, kind="pdd", uploaded=f.pdf("poa-dd.pdf"))
        services.document_upload(activity=poa, user=world.ama, kind="generic_cp_dd",
                                 uploaded=f.pdf("g.pdf", content=f.pdf_bytes("generic")))
    elif name == "validate":
        services.document_upload(activity=poa, user=world.dora, kind="validation_report",
                                 uploaded=f.pdf("vr.pdf", content=f.pdf_bytes("vr")))
    elif name == "request_registration":
        approve_hosts(world, poa)
        services.authorization_statement_issue(activity=poa, user=world.dina, uses="ndc",
                                               effective_from=datetime.date(2021, 1, 1))
    elif name == "start_completeness_check":
        fee = poa.fees.get(kind="registration")
        services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-42")


def _fire_poa(name, poa, user, comment):
    return getattr(poa_services, f"poa_{name}")(poa=poa, user=user, comment=comment)


POA_NON_TIMER = [t for t in POA_TRANSITIONS if Role.TIMER not in t.actors]
POA_CASES = [(t.name, s, r) for t in POA_NON_TIMER for s in t.source for r in sorted(t.actors)]


def test_every_poa_transition_is_tested():
    assert {(n, s, r) for n, s, r in POA_CASES} == {(t.name, s, r) for t in POA_NON_TIMER for s in t.source for r in t.actors}


@pytest.mark.parametrize("name,source,role", POA_CASES, ids=[f"{n}-from-{s}-by-{r}" for n, s, r in POA_CASES])
def test_poa_transition_allowed_actor_and_everyone_else(world, poa, name, source, role):
    spec = {t.name: t for t in POA_TRANSITIONS}[name]
    poa = reach(world, poa, source)
    _prepare_poa(world, poa, name)
    poa = Programme.objects.get(pk=poa.pk)
    comment = f"Reasons for {name}."
    before = snapshot(poa)
    holders = set().union(*(POA_HOLDERS[r] for r in spec.actors))
    for persona in [p for p in PERSONAS if p not in holders]:
        with pytest.raises(Refused):
            _fire_poa(name, poa, world.people[persona], comment)
        assert snapshot(poa) == before, f"{persona} changed something"
    with pytest.raises(Refused):
        _fire_poa(name, poa, AnonymousUser(), comment)
    assert snapshot(poa) == before

    holder = _first(POA_HOLDERS, role)
    since = last_sequence(poa)
    moment = timezone.now().replace(microsecond=0) + datetime.timedelta(hours=1)
    with time_machine.travel(moment, tick=False):
        _fire_poa(name, poa, _who(world, holder), comment)
    after = Programme.objects.get(pk=poa.pk)
    assert after.state == spec.target
    events = new_events(poa, since)
    expected = [poa_events.POA_TRANSITIONED]
    if name == "request_registration":
        expected = [EventKind.FEE_ASSESSED, poa_events.POA_TRANSITIONED]
    assert [e.kind for e in events] == expected
    event = events[-1]
    assert (event.from_state, event.to_state, event.role, event.comment) == (source, spec.target, str(role), comment)
    assert event.created_at == moment
    assert event.organisation == world.orgs["sb" if holder == "board" else ORG_OF[holder]]
    assert event.payload["transition"] == name
    # The documents the decision rests on are the PoA's own (no CP document).
    assert {d["kind"] for d in event.payload["documents"]} <= {"pdd", "generic_cp_dd", "validation_report"}
    if name == "request_registration":
        fee = after.fees.get(kind="registration")
        # PROC-AC-003 v03.0 App.1 para 6(a): the PoA fee of the rule set in force (USD 10,000 from 2025-08).
        assert fee.amount_usd == 10_000 and fee.status == "due"
        assert event.payload["fee_usd"] == "10000.00"
    if name == "publish_for_consultation":
        assert event.payload["published_on"] == str(moment.date())
        assert after.due_at == moment + datetime.timedelta(days=28)  # para 21: 28 days (rule set gsc_days)


POA_WRONG = {
    "notify_prior_consideration": A.PRIOR_CONSIDERATION, "accept_engagement": A.VALIDATION_CONTRACTED,
    "publish_for_consultation": A.CONSULTATION, "validate": A.VALIDATED, "request_registration": A.REGISTRATION_REQUESTED,
    "resubmit_registration": A.REGISTRATION_REQUESTED, "start_completeness_check": A.COMPLETENESS_CHECK,
    "pass_completeness_check": A.INFORMATION_CHECK, "return_incomplete": A.REQUEST_INCOMPLETE,
    "pass_information_check": A.REVIEW_WINDOW, "request_review": A.UNDER_SB_REVIEW, "register": A.REGISTERED,
    "reject": A.REVIEW_WINDOW, "withdraw": A.REGISTERED, "deregister": A.UNDER_SB_REVIEW,
}


def test_every_poa_transition_has_a_wrong_state():
    assert set(POA_WRONG) == {t.name for t in POA_NON_TIMER}


@pytest.mark.parametrize("name", sorted(POA_WRONG))
def test_poa_transition_refused_from_a_wrong_state(world, poa, name):
    poa = reach(world, poa, POA_WRONG[name])
    spec = {t.name: t for t in POA_TRANSITIONS}[name]
    before = snapshot(poa)
    with pytest.raises(Refused) as error:
        _fire_poa(name, poa, _who(world, _first(POA_HOLDERS, sorted(spec.actors)[0])), "Reasons.")
    assert error.value.code in ("wrong_state", "not_permitted")
    assert snapshot(poa) == before


def test_the_activity_machine_never_fires_on_a_poa(world, poa):
    """A PoA is an Activity row with its own machine: the project's services do not find it."""
    with pytest.raises(ServiceError) as error:
        services.activity_notify_prior_consideration(activity=poa, user=world.ama)
    assert error.value.code == "not_found"
    assert Programme.objects.get(pk=poa.pk).state == A.DRAFT


# --- the component project -------------------------------------------------------------------

@pytest.fixture
def registered(world, poa):
    return reach_poa(world, poa, A.REGISTERED)


def reach_c(world, poa, state):
    cp = notify_cp(world, poa)
    if state == C.UNDER_INCLUSION_REVIEW:
        cp = reach_cp(world, cp, C.INCLUDED)
        return poa_services.cp_request_inclusion_review(cp=cp, user=world.sofia, comment="Outside the boundary?")
    if state == C.EXCLUDED:
        cp = reach_cp(world, cp, C.INCLUDED)
        return poa_services.cp_exclude_voluntarily(cp=cp, user=world.ama, comment="Leaving.")
    return reach_cp(world, cp, state)


def _prepare_cp(world, cp, name):
    if name == "validate":
        cp_docs(world, cp)


def _fire_cp(name, cp, user, comment):
    kw = {}
    if name == "validate":
        kw["criteria"] = list(cp.poa.eligibility_criteria.all())
    elif name == "upload_inclusion":
        kw.update(crediting_start=cp.crediting_start, crediting_end=cp.crediting_end)
    elif name == "include":
        kw["reference"] = "WIRE-CP-1"
    return getattr(poa_services, f"cp_{name}")(cp=cp, user=user, comment=comment, **kw)


CP_CASES = [(t.name, s, r) for t in CP_TRANSITIONS for s in t.source for r in sorted(t.actors)]


def test_every_cp_transition_is_tested():
    assert all(Role.TIMER not in t.actors for t in CP_TRANSITIONS)
    assert {(n, s, r) for n, s, r in CP_CASES} == {(t.name, s, r) for t in CP_TRANSITIONS for s in t.source for r in t.actors}


@pytest.mark.parametrize("name,source,role", CP_CASES, ids=[f"{n}-from-{s}-by-{r}" for n, s, r in CP_CASES])
def test_cp_transition_allowed_actor_and_everyone_else(world, registered, name, source, role):
    spec = {t.name: t for t in CP_TRANSITIONS}[name]
    cp = reach_c(world, registered, source)
    _prepare_cp(world, cp, name)
    cp = ComponentProject.objects.get(pk=cp.pk)
    comment = f"Reasons for {name}."
    before = snapshot(registered)
    holders = set().union(*(CP_HOLDERS[r] for r in spec.actors))
    for persona in [p for p in PERSONAS if p not in holders]:
        with pytest.raises(Refused):
            _fire_cp(name, cp, world.people[persona], comment)
        assert snapshot(registered) == before, f"{persona} changed something"

    holder = _first(CP_HOLDERS, role)
    since = last_sequence(registered)
    _fire_cp(name, cp, _who(world, holder), comment)
    after = ComponentProject.objects.get(pk=cp.pk)
    assert after.state == spec.target
    events = new_events(registered, since)
    expected = {"upload_inclusion": [EventKind.FEE_ASSESSED, poa_events.CP_TRANSITIONED],
                "include": [EventKind.FEE_PAID, poa_events.CP_TRANSITIONED]}.get(name, [poa_events.CP_TRANSITIONED])
    assert [e.kind for e in events] == expected
    event = events[-1]
    assert (event.from_state, event.to_state, event.role) == (source, spec.target, str(role))
    assert event.payload["component"] == cp.reference and event.payload["transition"] == name
    assert event.activity_id == registered.pk
    if name == "validate":
        assert event.payload["criteria"] == [1, 2]
    if name == "upload_inclusion":
        # PROC-AC-003 v03.0 App.1 para 6(b): USD 800 per CP; para 124: the host's total and cap.
        assert after.inclusion_fee.amount_usd == 800 and after.inclusion_fee.kind == "inclusion"
        assert (event.payload["host_total"], event.payload["host_cap"]) == (20_000, 50_000)
    if name == "include":
        assert after.inclusion_fee.status == "paid" and after.included_at is not None


CP_WRONG = {
    "start_validation": C.UNDER_VALIDATION, "validate": C.NOTIFIED, "upload_inclusion": C.UPLOADED,
    "include": C.INCLUDED, "withdraw": C.INCLUDED, "exclude_voluntarily": C.UPLOADED,
    "request_inclusion_review": C.EXCLUDED, "refer_sample_issue": C.UNDER_INCLUSION_REVIEW, "confirm_inclusion": C.INCLUDED, "exclude_erroneous": C.INCLUDED,
}


def test_every_cp_transition_has_a_wrong_state():
    assert set(CP_WRONG) == {t.name for t in CP_TRANSITIONS}


@pytest.mark.parametrize("name", sorted(CP_WRONG))
def test_cp_transition_refused_from_a_wrong_state(world, registered, name):
    cp = reach_c(world, registered, CP_WRONG[name])
    spec = {t.name: t for t in CP_TRANSITIONS}[name]
    before = snapshot(registered)
    with pytest.raises(Refused) as error:
        _fire_cp(name, cp, _who(world, _first(CP_HOLDERS, sorted(spec.actors)[0])), "Reasons.")
    assert error.value.code in ("wrong_state", "not_permitted")
    assert snapshot(registered) == before
