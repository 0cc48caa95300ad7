"""A two-country PoA (Ghana and Kenya) coordinated by Kpone Green Energy (ama), validated by Terra
Verification (dora), approved by each host's DNA (dina for Ghana, nils for Kenya), and the drive
that takes it (and a component project) to any state with the right people.

Personas as in tests/conftest.py; on the PoA, nils is a host DNA too (Kenya is the second host).
"""
import datetime

import pytest
import time_machine

from pacm.parties.roles import Actor, Role
from projects import services
from projects.cycle import ActivityState as A
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.models import ComponentProject, PoAHost, Programme

from .. import factories as f

CAPS = {"GH": 50_000, "KE": 30_000}


def poa_data(world, **overrides):
    today = datetime.date.today()
    start = datetime.date(today.year, 1, 1)
    data = dict(
        user=world.ama, organisation=world.orgs["dev"], title="West Africa clean cooking programme",
        hosts=[world.host, world.other], methodology_version=world.version,
        sectoral_scope=world.version.methodology.sectoral_scopes.first(), location="Ghana and Kenya",
        period_start=start, period_end=start.replace(year=start.year + 20) - datetime.timedelta(days=1),
        estimated_annual=80_000, description="Improved cookstoves distributed to households.",
        typical_cps="A distributor's cookstove programme in one region.",
        criteria=["The cookstoves are of a type listed in the PoA-DD.", "The CP lies within the host's boundary."],
    )
    data.update(overrides)
    return data


@pytest.fixture
def poa(world):
    return poa_services.poa_create(**poa_data(world))


def board(world):
    return Actor(user=None, organisation=world.orgs["sb"], role=Role.BOARD, label="board:test")


def jump(obj):
    """Past the due date, one timer pass."""
    from pacm.engine.timers import timers_run

    obj = type(obj).objects.get(pk=obj.pk)
    with time_machine.travel(obj.due_at + datetime.timedelta(seconds=1), tick=False):
        timers_run()


def host(poa, iso2):
    return PoAHost.objects.get(poa=poa, party__iso2=iso2)


def approve_hosts(world, poa, caps=CAPS):
    for iso2, user in (("GH", world.dina), ("KE", world.nils)):
        h = host(poa, iso2)
        if not h.approved:
            poa_services.poa_host_approve(poa=poa, user=user, host=h, max_annual=caps[iso2],
                                          sd_confirmation="Fosters SD.", ndc_relation="Within the NDC.")


def reach_poa(world, poa, until):
    steps = [
        (A.DRAFT, lambda p: poa_services.poa_notify_prior_consideration(poa=p, user=world.ama)),
        (A.PRIOR_CONSIDERATION, lambda p: (
            poa_services.poa_engage_doe(poa=p, user=world.ama, doe=world.orgs["doe"]),
            poa_services.poa_accept_engagement(poa=p, user=world.dora),
        )),
        (A.VALIDATION_CONTRACTED, lambda p: (
            services.document_upload(activity=p, user=world.ama, kind="pdd", uploaded=f.pdf("poa-dd.pdf")),
            services.document_upload(activity=p, user=world.ama, kind="generic_cp_dd",
                                     uploaded=f.pdf("generic.pdf", content=f.pdf_bytes("generic CP-DD"))),
            poa_services.poa_publish_for_consultation(poa=p, user=world.dora),
        )),
        (A.CONSULTATION, jump),
        (A.UNDER_VALIDATION, lambda p: (
            services.document_upload(activity=p, user=world.dora, kind="validation_report",
                                     uploaded=f.pdf("vr.pdf", content=f.pdf_bytes("validation report"))),
            poa_services.poa_validate(poa=p, user=world.dora),
        )),
        (A.VALIDATED, lambda p: (
            approve_hosts(world, p),
            services.authorization_statement_issue(activity=p, user=world.dina, uses="ndc",
                                                   effective_from=datetime.date(2021, 1, 1)),
            poa_services.poa_request_registration(poa=p, user=world.dora),
        )),
        (A.REGISTRATION_REQUESTED, lambda p: (
            _pay(world, p),
            poa_services.poa_start_completeness_check(poa=p, user=world.sam),
        )),
        (A.COMPLETENESS_CHECK, lambda p: poa_services.poa_pass_completeness_check(poa=p, user=world.sam)),
        (A.INFORMATION_CHECK, lambda p: poa_services.poa_pass_information_check(poa=p, user=world.sam)),
        (A.REVIEW_WINDOW, jump),
        (A.REGISTRATION_APPROVED, jump),
    ]
    for state, step in steps:
        poa = Programme.objects.get(pk=poa.pk)
        if poa.state == until:
            return poa
        assert poa.state == state, f"expected {state}, found {poa.state}"
        step(poa)
    poa = Programme.objects.get(pk=poa.pk)
    assert poa.state == until, f"could not reach {until}; stopped at {poa.state}"
    return poa


def _pay(world, poa):
    fee = poa.fees.get(kind="registration")
    if fee.status == "due":
        services.fee_record_payment(fee=fee, user=world.sam, reference="WIRE-POA")


def cp_data(world, poa, iso2="GH", **overrides):
    today = datetime.date.today()
    data = dict(
        poa=poa, user=world.ama, title="Ashanti cookstoves", host=host(poa, iso2), participants=[world.orgs["dev2"]],
        doe=world.orgs["doe2"], location="Kumasi, Ashanti", technologies="Improved biomass cookstoves.",
        start_date=today + datetime.timedelta(days=10), crediting_type="renewable",
        crediting_start=today + datetime.timedelta(days=60),
        crediting_end=today + datetime.timedelta(days=60) + datetime.timedelta(days=5 * 365 - 2),
        estimated_annual=20_000,
    )
    data.update(overrides)
    return data


def notify_cp(world, poa, **overrides):
    return poa_services.poa_notify_inclusion(**cp_data(world, poa, **overrides))


def cp_docs(world, cp, doe_user=None):
    doe_user = doe_user or world.otto
    poa_services.cp_document_upload(cp=cp, user=world.ama, kind="cp_dd",
                                    uploaded=f.pdf("cpdd.pdf", content=f.pdf_bytes(f"CP-DD {cp.reference}")))
    poa_services.cp_document_upload(cp=cp, user=doe_user, kind="cp_validation_report",
                                    uploaded=f.pdf("cpvr.pdf", content=f.pdf_bytes(f"VR {cp.reference}")))
    poa_services.cp_document_upload(cp=cp, user=doe_user, kind="cp_inclusion_form",
                                    uploaded=f.pdf("cpif.pdf", content=f.pdf_bytes(f"IF {cp.reference}")))


def reach_cp(world, cp, until, doe_user=None):
    doe_user = doe_user or world.otto
    steps = [
        (C.NOTIFIED, lambda c: poa_services.cp_start_validation(cp=c, user=doe_user)),
        (C.UNDER_VALIDATION, lambda c: (
            cp_docs(world, c, doe_user),
            poa_services.cp_validate(cp=c, user=doe_user, criteria=list(c.poa.eligibility_criteria.all())),
        )),
        (C.VALIDATED, lambda c: poa_services.cp_upload_inclusion(
            cp=c, user=doe_user, crediting_start=c.crediting_start, crediting_end=c.crediting_end)),
        (C.UPLOADED, lambda c: poa_services.cp_include(cp=c, user=world.sam, reference="WIRE-CP")),
    ]
    for state, step in steps:
        cp = ComponentProject.objects.get(pk=cp.pk)
        if cp.state == until:
            return cp
        if cp.state != state and cp.state in [s for s, _ in steps]:
            continue  # already past this step
        assert cp.state == state, f"expected {state}, found {cp.state}"
        step(cp)
    cp = ComponentProject.objects.get(pk=cp.pk)
    assert cp.state == until, f"could not reach {until}; stopped at {cp.state}"
    return cp
