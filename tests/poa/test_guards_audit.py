"""Guards of the PoA and CP machines that only a refusal shows (pacm issue 7 audit): each refusal
carries its code, and nothing changes (state, due date, events, fees, documents, host rows)."""
import datetime

import pytest

from pacm.common.errors import ServiceError
from pacm.events.models import Event
from projects.cycle import ActivityState as A
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from projects.poa.models import ComponentProject

from .. import factories as f
from .conftest import approve_hosts, notify_cp, reach_cp, reach_poa
from .test_transitions import snapshot

pytestmark = pytest.mark.django_db


def test_poa_registration_request_refused_without_the_authorization_statement(world, poa, settings):
    """PROC-AC-003 v03.0 para 44 (RMP 42; docs/rules-coverage.md poa-8): the registration request
    needs a host's authorization statement on file (guard `authorization_on_file` of
    POA_REGISTRATION's submit guards). Both hosts approved, no statement: refused with the guard's
    code, no registration fee, nothing changed; once Ghana's DNA issues one, the same request goes."""
    settings.PACM_REQUIRE_AUTHORIZATION_STATEMENT_FOR_REGISTRATION = True
    poa = reach_poa(world, poa, A.VALIDATED)
    approve_hosts(world, poa)
    before = snapshot(poa)
    with pytest.raises(ServiceError) as error:
        poa_services.poa_request_registration(poa=poa, user=world.dora)
    assert error.value.code == "authorization_on_file"
    assert "authorization statement is not on file" in str(error.value.message)
    assert snapshot(poa) == before
    assert not poa.fees.filter(kind="registration").exists()

    from projects import services

    services.authorization_statement_issue(activity=poa, user=world.dina, uses="ndc",
                                           effective_from=datetime.date(2021, 1, 1))
    since = Event.objects.count()
    poa = poa_services.poa_request_registration(poa=poa, user=world.dora)
    assert poa.state == A.REGISTRATION_REQUESTED
    assert Event.objects.count() > since


def test_cp_validation_refused_for_a_doe_not_accredited_in_the_poa_scope(world, poa):
    """PROC-AC-003 v03.0 para 95: the CP-DD goes to a DOE accredited in the PoA's sectoral scope
    (guard `cp_doe_accredited` of the CP's start_validation). Orbis Assurance (otto), named for the
    CP, holds scope 1 only: refused with the code and the scope, nothing changed."""
    from pacm.parties.models import DOEAccreditation

    poa = reach_poa(world, poa, A.UNDER_VALIDATION)
    cp = notify_cp(world, poa)
    doe2 = world.orgs["doe2"]
    DOEAccreditation.objects.filter(organisation=doe2).delete()
    f.accredit(doe2, 1)
    before = snapshot(poa)
    with pytest.raises(ServiceError) as error:
        poa_services.cp_start_validation(cp=cp, user=world.otto)
    assert error.value.code == "cp_doe_accredited"
    assert error.value.params == {"scope": poa.sectoral_scope.number}
    assert snapshot(poa) == before
    assert ComponentProject.objects.get(pk=cp.pk).state == C.NOTIFIED


def test_cp_inclusion_upload_refused_while_the_poa_is_not_registered(world, poa):
    """PROC-AC-003 v03.0 para 123: the DOE uploads a CP for inclusion only after the PoA's
    registration (guard `poa_registered` of upload_inclusion). A CP validated while the PoA's
    registration is requested: refused with the code, no inclusion fee, nothing changed."""
    poa = reach_poa(world, poa, A.REGISTRATION_REQUESTED)
    cp = reach_cp(world, notify_cp(world, poa), C.VALIDATED)
    before = snapshot(poa)
    with pytest.raises(ServiceError) as error:
        poa_services.cp_upload_inclusion(cp=cp, user=world.otto, crediting_start=cp.crediting_start,
                                         crediting_end=cp.crediting_end)
    assert error.value.code == "poa_registered"
    assert "not registered" in str(error.value.message)
    assert snapshot(poa) == before
    assert not poa.fees.filter(kind="inclusion").exists()
    assert ComponentProject.objects.get(pk=cp.pk).state == C.VALIDATED
