"""Token lifecycle: created on /account/tokens/, shown once, hashed at rest, revoked = refused."""
import hashlib

import pytest
from django.urls import reverse

from pacm.api.models import ApiToken
from pacm.api.tokens import api_token_create, api_token_revoke
from pacm.common.errors import Refused

from ..submission_keys import page_keys

pytestmark = pytest.mark.django_db


def test_the_page_creates_a_token_shows_its_secret_once_and_keeps_only_its_hash(client, world):
    client.force_login(world.ama)
    page = client.get(reverse("api-tokens"))
    assert page.status_code == 200
    data = {"token-name": "MRV platform", **page_keys(page.content.decode())}
    response = client.post(reverse("api-tokens"), data)
    assert response.status_code == 200
    secret = response.context["created"][1]
    assert secret.startswith("pacm_") and secret in response.content.decode()
    token = ApiToken.objects.get(owner=world.ama)
    assert token.name == "MRV platform" and token.prefix == secret[:12]
    assert token.secret_hash == hashlib.sha256(secret.encode()).hexdigest()
    stored = [str(v) for v in ApiToken.objects.values_list("name", "prefix", "secret_hash").get()]
    assert secret not in stored  # only the hash and the prefix are at rest
    again = client.get(reverse("api-tokens")).content.decode()
    assert secret not in again and token.prefix in again


def test_the_token_opens_the_api_as_its_owner_until_it_is_revoked(client, world):
    token, secret = api_token_create(user=world.ama, name="script")
    me = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert me.status_code == 200 and me.json()["username"] == "ama" and me.json()["token"]["id"] == token.pk
    token.refresh_from_db()
    assert token.last_used_at is not None
    client.force_login(world.ama)
    revoked = client.post(reverse("api-token-revoke", args=[token.pk]))
    assert revoked.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    client.logout()
    refused = client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert refused.status_code == 401
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["code"] == "token_invalid"


def test_a_bad_token_is_refused_never_read_as_anonymous(client, world):
    for header in ("Bearer pacm_not-a-token", "Bearer ", "Basic YW1hOnB3", "Bearer " + "x" * 500):
        response = client.get("/api/v1/activities", HTTP_AUTHORIZATION=header)
        assert response.status_code == 401, header
        assert response.json()["code"] == "token_invalid"


def test_nobody_revokes_another_persons_token(client, world):
    token, _secret = api_token_create(user=world.ama, name="hers")
    with pytest.raises(Refused):
        api_token_revoke(token_id=token.pk, user=world.kofi)
    client.force_login(world.kofi)
    assert client.post(reverse("api-token-revoke", args=[token.pk])).status_code == 403
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_tokens_page_needs_a_login_and_shows_only_ones_own(client, world):
    api_token_create(user=world.kofi, name="kofi-secret-tool")
    assert client.get(reverse("api-tokens")).status_code == 302
    client.force_login(world.ama)
    assert "kofi-secret-tool" not in client.get(reverse("api-tokens")).content.decode()


def test_the_same_form_sent_twice_creates_one_token(client, world):
    client.force_login(world.ama)
    data = {"token-name": "twice", **page_keys(client.get(reverse("api-tokens")).content.decode())}
    first = client.post(reverse("api-tokens"), data)
    second = client.post(reverse("api-tokens"), data)
    assert first.status_code == 200 and second.status_code == 302
    assert ApiToken.objects.filter(owner=world.ama).count() == 1
