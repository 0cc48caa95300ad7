"""A CDM transition request through the API: publish (no reasons taken) and the fee recorded with
the page's own form, each recording exactly its event."""
import pytest

from pacm.events.models import Event
from projects.transition.cycle import TransitionState as S
from tests.transition.helpers import create, drive, fresh

pytestmark = pytest.mark.django_db


def _post(client, url, body):
    return client.post(url, body, content_type="application/json")


def _kinds_after(request, before):
    return list(Event.objects.filter(stream=request.stream, sequence__gt=before).order_by("sequence")
                .values_list("kind", flat=True))


def test_publish_and_the_fee_through_the_api(world, time_machine, bearer):
    request = create(world, time_machine)
    url = f"/api/v1/transitions/{request.pk}/actions"
    assert bearer(world.kofi).get(url).status_code == 404  # not his, not public yet
    last = Event.objects.filter(stream=request.stream).count()
    published = _post(bearer(world.sam), f"{url}/publish", {"expected_state": "requested"})
    assert published.status_code == 200, published.content
    assert published.json()["subject"]["state"] == S.CONSULTATION
    assert _kinds_after(request, last) == ["transition.transitioned"]
    request = drive(world, time_machine, fresh(request), S.DOCUMENTATION_SUBMITTED)
    offered = {o["name"]: o for o in bearer(world.sam).get(url).json()["actions"]}
    assert request.fee_status == "due"
    assert offered["record_fee_payment"]["in_api"] is True
    seq = Event.objects.filter(stream=request.stream).order_by("-sequence").values_list("sequence", flat=True)[0]
    empty = _post(bearer(world.sam), f"{url}/record_fee_payment", {"inputs": {"reference": ""}})
    assert empty.status_code == 400 and empty.json()["field"] == "reference"
    paid = _post(bearer(world.sam), f"{url}/record_fee_payment", {"inputs": {"reference": "WIRE-API"}})
    assert paid.status_code == 200, paid.content
    assert _kinds_after(request, seq) == ["transition.fee_paid"]
    assert fresh(request).fee_status == "paid"
