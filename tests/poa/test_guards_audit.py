"""Guards of the PoA and CP machines that only a refusal shows (pacm issue 7 audit): each refusal
carries its code, and nothing changes (state, due date, events, fees, documents, host rows)."""
import datetime

import pytest

from pacm.common.errors import ServiceError
from pacm.events.models import Event
from projects.cycle import ActivityState as A
from projects.poa import services as poa_services

from .conftest import approve_hosts, reach_poa
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
