"""CDM transition of a PoA (A6.4-PROC-AC-001 v06.0 paras 19-20, 21, 24-25, 33, 50, 52; A6.4-STAN-AC-001
v05.0 para 13): CPAs added or removed between the consultation and the host approval, each host's
approval for its own CPAs, only the approving hosts' CPAs transition, the PoA fee with the CPs'
inclusion fees, and the registered PoA with its CPs included (docs/rules-coverage.md transition-2,
transition-9, transition-10).

Personas: ama (Kpone Green Energy, the CDM scope-(c) focal point), dina (Ghana's DNA), nils
(Kenya's DNA), sam (secretariat), sofia (SB member).
"""
import datetime

import pytest

from methodologies.models import RuleSet
from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from projects.cycle import ActivityState as A
from projects.poa.cycle import CPState as C
from projects.poa.models import Programme
from projects.transition import services as ts
from projects.transition.cycle import TransitionState as S

from .helpers import UTC, create, drive, fresh

pytestmark = pytest.mark.django_db

SD = dict(sd_confirmation="Fosters SD.", ndc_relation="Within the NDC.")


def _poa_request(world, clock):
    cpas = [("10415-0001", world.host, 12_000), ("10415-0002", world.host, 9_000), ("10415-0003", world.other, 7_000)]
    return create(world, clock, cdm_reference="10415", kind="poa", cpas=cpas, title="Clean cooking PoA",
                  cdm_crediting_end=datetime.date(2034, 5, 31), estimated_annual=60_000)


def _awaiting_host(world, clock):
    request = drive(world, clock, _poa_request(world, clock), S.AWAITING_HOST)
    clock.move_to(datetime.datetime(2025, 3, 3, 9, 0, tzinfo=UTC), tick=False)
    return request


def _kinds(request, since=0):
    return [(e.kind, e.payload.get("transition")) for e in
            Event.objects.filter(stream=request.stream, sequence__gt=since).order_by("sequence")]


def _last(request):
    return Event.objects.filter(stream=request.stream).order_by("-sequence").values_list("sequence", flat=True).first()


def test_a_cdm_poa_transitions_with_the_cpas_of_its_hosts(world, time_machine):
    request = _awaiting_host(world, time_machine)
    # Paras 19-20: the participants revise the request; no one else does.
    for name in ("dina", "nils", "sam", "sofia"):
        with pytest.raises(Refused):
            ts.transition_request_add_cpa(request=request, user=getattr(world, name), cpa_reference="10415-0004",
                                          host_party=world.host)
    since = _last(request)
    ts.transition_request_add_cpa(request=request, user=world.ama, cpa_reference="10415-0004", host_party=world.host,
                                  title="Volta CPA", estimated_annual=5_000)
    removed = request.cpas.get(cpa_reference="10415-0002")
    ts.transition_request_remove_cpa(request=request, user=world.ama, cpa=removed)
    # Para 24: each host's DNA approves for its own CPAs, with its maximum (reading transition-9).
    with pytest.raises(Refused):
        ts.transition_request_approve_transition(request=request, user=world.sam, max_annual=1, **SD)
    with pytest.raises(ServiceError) as error:
        ts.transition_request_approve_transition(request=request, user=world.dina, max_annual=0, **SD)
    assert error.value.field == "max_annual" and fresh(request).state == S.AWAITING_HOST
    request = ts.transition_request_approve_transition(request=request, user=world.dina, max_annual=50_000, **SD)
    assert request.state == S.HOST_APPROVED
    with pytest.raises(Refused):  # the CPAs are fixed once a host approved (para 19)
        ts.transition_request_add_cpa(request=request, user=world.ama, cpa_reference="10415-0005",
                                      host_party=world.host)
    with pytest.raises(ServiceError) as error:  # Ghana has approved already
        ts.transition_request_approve_poa_host(request=request, user=world.dina, max_annual=9, **SD)
    assert error.value.code == "not_a_host_of_the_poa"
    for name in ("ama", "sam", "sofia"):
        with pytest.raises(Refused):
            ts.transition_request_approve_poa_host(request=request, user=getattr(world, name), max_annual=9, **SD)
    ts.transition_request_approve_poa_host(request=request, user=world.nils, max_annual=30_000, **SD)
    assert _kinds(request, since) == [
        ("transition.cpas_revised", None), ("transition.cpas_revised", None),
        ("transition.transitioned", "approve_transition"), ("transition.poa_host_approved", None)]
    revised = Event.objects.filter(stream=request.stream, kind="transition.cpas_revised").order_by("sequence")
    assert [(e.payload["added"], e.payload["removed"]) for e in revised] == [
        (["10415-0004"], []), ([], ["10415-0002"])]
    # Para 33(a): the PoA registration fee and one inclusion fee per CPA that transitions (reading transition-10).
    ts.transition_request_submit_documentation(request=request, user=world.ama, documentation="addendum",
                                               summary="Addendum, AMS-II.G kept.", fnrb="0.8430", leakage_factor="0.95")
    request = fresh(request)
    rule_set = RuleSet.objects.in_force(datetime.date(2025, 3, 3))
    assert request.fee_status == "due"
    assert request.fee_usd == rule_set.poa_registration_fee_usd + 3 * rule_set.cp_inclusion_fee_usd
    request = drive(world, time_machine, request, S.TRANSITIONED)
    poa = Programme.objects.get(pk=request.activity_id)
    # Para 50: a registered PoA under the transition reference; para 52: its period from 1 Jan 2021;
    # STAN-AC-001 para 13(a): a renewable one ends by 31 Dec 2025.
    assert (poa.reference, poa.state, poa.crediting_start, poa.crediting_end) == (
        request.reference, A.REGISTERED, datetime.date(2021, 1, 1), datetime.date(2025, 12, 31))
    assert [(h.party.iso2, h.max_annual, h.approval.dna.name) for h in poa.poa_hosts.select_related(
        "party", "approval__dna")] == [("GH", 50_000, world.orgs["dna"].name), ("KE", 30_000, world.orgs["dna2"].name)]
    cps = list(poa.components.select_related("host__party").order_by("number"))
    assert [(c.transition_cpa.cpa_reference, c.host.party.iso2, c.state, c.estimated_annual, c.crediting_start,
             c.crediting_end) for c in cps] == [
        ("10415-0001", "GH", C.INCLUDED, 12_000, datetime.date(2021, 1, 1), datetime.date(2025, 12, 31)),
        ("10415-0003", "KE", C.INCLUDED, 7_000, datetime.date(2021, 1, 1), datetime.date(2025, 12, 31)),
        ("10415-0004", "GH", C.INCLUDED, 5_000, datetime.date(2021, 1, 1), datetime.date(2025, 12, 31)),
    ]
    registered = Event.objects.get(stream=request.stream, kind="transition.activity_registered")
    assert registered.payload["components"] == [
        ["10415-0001", cps[0].reference, "GH"], ["10415-0003", cps[1].reference, "KE"],
        ["10415-0004", cps[2].reference, "GH"]]


def test_a_host_that_does_not_approve_by_the_deadline_keeps_its_cpas_out(world, time_machine):
    request = _awaiting_host(world, time_machine)
    request = ts.transition_request_approve_transition(request=request, user=world.dina, max_annual=50_000, **SD)
    # Para 21 (CMA7 extension, rule-set date): the deadline passes; Kenya has not approved.
    time_machine.move_to(datetime.datetime(2026, 7, 1, 9, 0, tzinfo=UTC), tick=False)
    with pytest.raises(ServiceError) as error:
        ts.transition_request_approve_poa_host(request=request, user=world.nils, max_annual=30_000, **SD)
    assert error.value.code == "host_deadline_passed"
    ts.transition_request_submit_documentation(request=request, user=world.ama, documentation="addendum",
                                               summary="Addendum, AMS-II.G kept.", fnrb="0.8430", leakage_factor="0.95")
    request = fresh(request)
    rule_set = RuleSet.objects.in_force(datetime.date(2026, 7, 1))
    assert request.fee_usd == rule_set.poa_registration_fee_usd + 2 * rule_set.cp_inclusion_fee_usd  # Ghana's two
    request = drive(world, time_machine, request, S.TRANSITIONED)
    poa = Programme.objects.get(pk=request.activity_id)
    # Para 24: only the CPAs in the approving host transition; Kenya is no host of the PoA (para 54: later, by PRC).
    assert list(poa.poa_hosts.values_list("party__iso2", flat=True)) == ["GH"]
    assert sorted(poa.components.values_list("transition_cpa__cpa_reference", "host__party__iso2")) == [
        ("10415-0001", "GH"), ("10415-0002", "GH")]
    assert request.cpas.get(cpa_reference="10415-0003").component is None


def test_a_poa_whose_hosts_all_miss_the_deadline_ends_by_timer(world, time_machine):
    request = drive(world, time_machine, _poa_request(world, time_machine), S.AWAITING_HOST)
    from .helpers import jump

    request = jump(time_machine, request)
    assert request.state == S.EXPIRED


def test_a_poa_request_needs_a_cpa_of_an_approving_host(world, time_machine):
    request = _awaiting_host(world, time_machine)
    for cpa in request.cpas.filter(host_party=world.host):
        ts.transition_request_remove_cpa(request=request, user=world.ama, cpa=cpa)
    request = ts.transition_request_approve_transition(request=request, user=world.dina, max_annual=50_000, **SD)
    with pytest.raises(ServiceError) as error:
        ts.transition_request_submit_documentation(request=request, user=world.ama, documentation="addendum",
                                                   summary="Addendum.")
    assert error.value.code == "no_cpa_of_an_approving_host"
    assert fresh(request).state == S.HOST_APPROVED


def test_the_request_page_takes_the_revised_cpas_and_each_hosts_approval(as_user, world, time_machine):
    from django.urls import reverse

    request = _awaiting_host(world, time_machine)
    act = lambda name: reverse("transition-act", kwargs={"pk": request.pk, "name": name})  # noqa: E731
    ama = as_user(world.ama)
    # Bad input is a form error and changes nothing; a good one adds the CPA (para 19(a)).
    response = ama.post(act("add_cpa"), {"t-cpa_reference": "", "t-host_party": world.host.pk, "t-estimated_annual": 0})
    assert response.status_code == 200 and request.cpas.count() == 3
    response = ama.post(act("add_cpa"), {"t-cpa_reference": "10415-0009", "t-host_party": world.host.pk,
                                         "t-estimated_annual": 100})
    assert response.status_code == 302 and request.cpas.filter(cpa_reference="10415-0009").exists()
    assert as_user(world.sam).post(act("add_cpa"), {"t-cpa_reference": "X", "t-host_party": world.host.pk,
                                                    "t-estimated_annual": 0}).status_code == 403
    cpa = request.cpas.get(cpa_reference="10415-0002")
    ama = as_user(world.ama)  # one client: signed in as ama again
    assert ama.post(act("remove_cpa"), {"t-item": cpa.pk}).status_code == 302
    assert request.cpas.get(pk=cpa.pk).removed_at is not None
    # A PoA's host states its maximum (reading transition-9): without it, a form error.
    dina = as_user(world.dina)
    response = dina.post(act("approve_transition"), {"t-sd_confirmation": "SD", "t-ndc_relation": "NDC"})
    assert response.status_code == 200 and fresh(request).state == S.AWAITING_HOST
    response = dina.post(act("approve_transition"), {"t-sd_confirmation": "SD", "t-ndc_relation": "NDC",
                                                     "t-max_annual": 50_000})
    assert response.status_code == 302 and fresh(request).state == S.HOST_APPROVED
    page = as_user(world.nils).get(reverse("transition-detail", kwargs={"pk": request.pk})).content.decode()
    assert "Approve the transition (a host Party of the PoA)" in page
    host = request.hosts.get(party=world.other)
    response = as_user(world.nils).post(act("approve_poa_host"), {
        "t-item": host.pk, "t-sd_confirmation": "SD", "t-ndc_relation": "NDC", "t-max_annual": 30_000})
    assert response.status_code == 302
    assert request.hosts.get(pk=host.pk).max_annual == 30_000
