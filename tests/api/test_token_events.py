"""Creating and revoking an API token records a typed event on the person's stream (pacm issue 9):
the token's id, name and shown prefix, never its secret nor its hash. Personas: ama, kofi."""
import pytest
from django.urls import reverse

from pacm.api.events import person_stream
from pacm.api.models import ApiToken
from pacm.api.tokens import api_token_create, api_token_revoke
from pacm.common.errors import Refused
from pacm.events.models import Event
from pacm.events.services import chain_verify

from ..submission_keys import page_keys

pytestmark = pytest.mark.django_db


def _events(user):
    return [(e.kind, e.actor_id, e.actor_label, e.organisation_id, e.role, e.payload)
            for e in Event.objects.filter(stream=person_stream(user)).order_by("sequence")]


def test_the_page_records_the_creation_and_the_revocation(client, world):
    client.force_login(world.ama)
    data = {"token-name": "MRV platform", **page_keys(client.get(reverse("api-tokens")).content.decode())}
    created = client.post(reverse("api-tokens"), data)
    secret = created.context["created"][1]
    token = ApiToken.objects.get(owner=world.ama)
    shown = {"token": token.pk, "name": "MRV platform", "prefix": token.prefix}
    assert _events(world.ama) == [("api.token_created", world.ama.pk, "ama", None, "person", shown)]
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 302
    assert _events(world.ama) == [("api.token_created", world.ama.pk, "ama", None, "person", shown),
                                  ("api.token_revoked", world.ama.pk, "ama", None, "person", shown)]
    stored = " ".join(str(e.payload) for e in Event.objects.filter(stream=person_stream(world.ama)))
    assert secret not in stored and token.secret_hash not in stored
    assert chain_verify(person_stream(world.ama)) == []


def test_a_second_revocation_and_a_refused_one_record_nothing(world):
    token, _secret = api_token_create(user=world.ama, name="script")
    api_token_revoke(token_id=token.pk, user=world.ama)
    api_token_revoke(token_id=token.pk, user=world.ama)  # already revoked: nothing happens
    with pytest.raises(Refused):
        api_token_revoke(token_id=token.pk, user=world.kofi)
    assert [kind for kind, *_rest in _events(world.ama)] == ["api.token_created", "api.token_revoked"]
    assert _events(world.kofi) == []


def test_a_refused_creation_records_nothing(world):
    from pacm.common.errors import ServiceError

    with pytest.raises(ServiceError):
        api_token_create(user=world.ama, name="   ")
    assert _events(world.ama) == []
