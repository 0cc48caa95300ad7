"""A transitioned CP records no DOE (A6.4-PROC-AC-001 v06.0 para 50; docs/rules-coverage.md transition-2):
its participants engage one, accredited in the PoA's sectoral scope, which then validates and notifies
the renewal of its crediting period, ended on 31 Dec 2025 (A6.4-STAN-AC-001 v05.0 para 13(a)(ii);
A6.4-PROC-AC-003 v03.0 paras 297, 299, 304; reading renewal-20).

Personas: ama (Kpone, the coordinating/managing entity), kofi (Savannah, a stranger to the PoA), otto
(Orbis, engaged), dora (Terra), dina (Ghana's DNA), sam (secretariat), sofia (SB member).
"""
import datetime

import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions
from pacm.events.models import Event
from pacm.parties.models import Organisation
from projects.poa import services as poa_services
from projects.poa.models import ComponentProject
from projects.renewals import services as rs
from projects.renewals.cycle import CPRenewalState as C
from tests import factories as f

from .helpers import last_sequence, renewal_events
from .transitioned_poa import at, poa_period_renewed, transitioned_poa

pytestmark = pytest.mark.django_db


def _notify(world, cp, user=None):
    return rs.cp_renewal_notify(
        cp=cp, user=user or world.otto, baseline_update="Baseline updated: fNRB 0.80 from 2026.",
        estimated_annual=11_000, design=f.pdf("cpdd-v2.pdf", content=f.pdf_bytes(f"CP-DD v2 {cp.reference}")),
        report=f.pdf("cpvr.pdf", content=f.pdf_bytes(f"renewal VR {cp.reference}")))


@pytest.fixture
def scene(world, time_machine):
    _request, poa = transitioned_poa(world, time_machine)
    poa_period_renewed(world, time_machine, poa)
    cp = poa.components.get()
    at(time_machine, datetime.date(2025, 12, 1))
    return poa, ComponentProject.objects.get(pk=cp.pk)


def test_the_cme_engages_a_doe_for_a_transitioned_cp_which_then_notifies_its_renewal(world, scene):
    """PROC-AC-003 v03.0 paras 297, 299, 304: the CP had no DOE; the one engaged notifies the renewal."""
    poa, cp = scene
    assert cp.doe_id is None and cp.crediting_end == datetime.date(2025, 12, 31)
    # Before: no DOE may notify (the CP's DOE tie names none), and the CME is offered the engagement.
    for user in (world.otto, world.dora):
        with pytest.raises(Refused):
            _notify(world, cp, user=user)
    offer = available_actions(world.ama, cp).get("engage_doe")
    assert offer is not None and offer.blocked is None
    since = last_sequence(poa.stream)
    cp = poa_services.cp_engage_doe(cp=cp, user=world.ama, doe=world.orgs["doe2"])
    assert ComponentProject.objects.get(pk=cp.pk).doe == world.orgs["doe2"]
    events = list(Event.objects.filter(stream=poa.stream, sequence__gt=since))
    assert [(e.kind, e.payload, e.to_state, e.role, e.actor, e.organisation) for e in events] == [
        ("cp.doe_engaged", {"component": cp.reference, "doe": "Orbis Assurance", "doe_id": world.orgs["doe2"].pk},
         "included", "participant", world.ama, world.orgs["dev"])]
    # Para 304: within a year of the SB's approval of the transition, the engaged DOE notifies.
    since = last_sequence(poa.stream)
    renewal = _notify(world, ComponentProject.objects.get(pk=cp.pk))
    assert (renewal.state, renewal.transitioned, renewal.validation_doe) == (C.NOTIFIED, True, world.orgs["doe2"])
    assert (renewal.new_start, renewal.new_end) == (datetime.date(2026, 1, 1), datetime.date(2030, 12, 31))
    assert renewal_events(poa.stream, since) == [
        ("document.uploaded", None), ("document.uploaded", None), ("fee.assessed", None), ("renewal.requested", None)]
    with pytest.raises(Refused):  # the other DOE is still no DOE of the CP
        _notify(world, cp, user=world.dora)


def test_only_the_cps_participants_engage_its_doe(world, scene):
    """Para 297: contracted by the activity participants; not a stranger, the DNA, the secretariat, the SB, a DOE."""
    poa, cp = scene
    since = last_sequence(poa.stream)
    for user in (world.kofi, world.dina, world.sam, world.sofia, world.otto):
        with pytest.raises(Refused) as error:
            poa_services.cp_engage_doe(cp=cp, user=user, doe=world.orgs["doe2"])
        assert error.value.code == "not_permitted"
        assert available_actions(user, cp).get("engage_doe") is None
    assert ComponentProject.objects.get(pk=cp.pk).doe_id is None
    assert last_sequence(poa.stream) == since


def test_a_recorded_doe_is_not_engaged_again(world, scene):
    """Para 297 (renewal-20): the write names the DOE of a CP that records none, once."""
    poa, cp = scene
    poa_services.cp_engage_doe(cp=cp, user=world.ama, doe=world.orgs["doe2"])
    since = last_sequence(poa.stream)
    with pytest.raises(ServiceError) as error:
        poa_services.cp_engage_doe(cp=cp, user=world.ama, doe=world.orgs["doe"])
    assert error.value.code == "cp_doe_recorded"
    assert error.value.params == {"doe": "Orbis Assurance", "component": cp.reference}
    assert ComponentProject.objects.get(pk=cp.pk).doe == world.orgs["doe2"]
    assert last_sequence(poa.stream) == since
    offer = available_actions(world.ama, ComponentProject.objects.get(pk=cp.pk)).get("engage_doe")
    assert offer.blocked.code == "cp_doe_recorded"


def test_the_doe_must_be_accredited_in_the_poas_scope(world, scene):
    """Para 297: "any DOE accredited in the relevant sectoral scope(s)"; a participant is no DOE."""
    poa, cp = scene
    narrow = f.organisation("Narrow Audits", Organisation.Kind.DOE)
    with pytest.raises(ServiceError) as error:
        poa_services.cp_engage_doe(cp=cp, user=world.ama, doe=narrow)
    assert error.value.code == "doe_not_accredited"
    with pytest.raises(ServiceError) as error:
        poa_services.cp_engage_doe(cp=cp, user=world.ama, doe=world.orgs["dev2"])
    assert error.value.code == "doe_required"
    assert ComponentProject.objects.get(pk=cp.pk).doe_id is None


def test_the_cp_page_offers_the_engagement_to_its_participants_and_takes_it(world, scene, client):
    """The CP page's form (cp-engage-doe): offered to the CME only; bad input shown on the form with
    nothing saved; a stranger's post is refused before any input is read."""
    from django.urls import reverse

    poa, cp = scene
    page = reverse("cp-detail", kwargs={"reference": cp.reference})
    url = reverse("cp-engage-doe", kwargs={"reference": cp.reference})
    client.force_login(world.kofi)
    assert url not in client.get(page).content.decode()
    assert client.post(url, {"engage-doe": world.orgs["doe2"].pk}).status_code == 403
    client.force_login(world.ama)
    assert url in client.get(page).content.decode()
    bad = client.post(url, {"engage-doe": "999999"})
    assert bad.status_code == 400 and ComponentProject.objects.get(pk=cp.pk).doe_id is None
    done = client.post(url, {"engage-doe": world.orgs["doe2"].pk})
    assert done.status_code == 302 and ComponentProject.objects.get(pk=cp.pk).doe == world.orgs["doe2"]
    body = client.get(page).content.decode()
    assert url not in body and "Orbis Assurance" in body
