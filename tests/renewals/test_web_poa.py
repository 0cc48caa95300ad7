"""The PoA period's renewal requested from the PoA page by its coordinating/managing entity
(A6.4-PROC-AC-003 v03.0 paras 274, 277, 286: the CME requests, within the window of para 286;
docs/rules-coverage.md poa-5): the page offers the form from `available_actions` to the CME only,
the POST opens the renewal with its event, anyone else is refused and nothing changes."""
import datetime

import pytest
from django.urls import reverse

from pacm.events.models import Event
from projects.renewals.cycle import RenewalState as S
from projects.renewals.models import PoARenewal, RenewalRequest

from .poa_helpers import registered_poa
from .test_web import _at, _post

pytestmark = pytest.mark.django_db


def test_the_poa_page_offers_the_period_renewal_to_its_cme_only(world, client, time_machine):
    """PROC-AC-003 v03.0 paras 274, 286: ama's organisation coordinates the PoA and requests the
    renewal of the PoA period 100 days before its end; kofi (no role on it), dora (its DOE), dina
    (a host DNA) and sam are not offered it and their POSTs open nothing."""
    poa = registered_poa(world)
    _at(time_machine, poa.crediting_end - datetime.timedelta(days=100))
    page = reverse("poa-detail", kwargs={"reference": poa.reference})
    url = reverse("renewal-open", kwargs={"kind": "poa", "reference": poa.reference})
    events = Event.objects.count()
    for name in ("kofi", "dora", "dina", "sam"):
        client.force_login(getattr(world, name))
        assert url not in client.get(page).content.decode(), name
        assert client.post(url, _post(world)).status_code in (403, 404), name
    assert not RenewalRequest.objects.exists() and Event.objects.count() == events

    client.force_login(world.ama)
    body = client.get(page).content.decode()
    assert 'id="renewals"' in body and url in body
    response = client.post(url, _post(world, **{"renewal-baseline_update": ""}))
    assert response.status_code == 400 and not RenewalRequest.objects.exists()
    response = client.post(url, _post(world))
    assert response.status_code == 302
    assert response["Location"] == reverse("poa-detail", kwargs={"reference": poa.reference}) + "#renewals"
    renewal = PoARenewal.objects.get()
    assert renewal.poa_id == poa.pk and renewal.state == S.UNDER_VALIDATION
    assert renewal.validation_doe == world.orgs["doe2"] and renewal.number == 1
    requested = Event.objects.get(stream=poa.stream, kind="renewal.requested")
    assert requested.actor == world.ama and requested.payload["renewal_kind"] == "poa"
