"""The rest of an organisation's people (pacm issue 9): an administrator withdraws an invitation;
an invitation to an address that already has a login joins that login once its person signs
in; a disabled person is signed out everywhere and loses their API tokens; password reset is
rate limited per address and per client without telling whether the address has a login."""
import datetime
import re

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils.http import urlencode

from pacm.api.models import ApiToken
from pacm.api.tokens import api_token_authenticate, api_token_create
from pacm.common.errors import Refused, ServiceError
from pacm.parties.models import Membership
from pacm.people import services
from pacm.people.models import Invitation
from tests import factories as f

from .conftest import people_events


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


def _invite(world, capture, email, role="member"):
    with capture(execute=True):
        return services.member_invite(organisation=world.orgs["dev"], email=email, role=role, user=world.ama)


def _link(message):
    return re.search(r"https?://[^/\s]+(/account/invitation/[^\s]+/)", message.body).group(1)


# --- withdrawing an invitation ---------------------------------------------------------------

def test_an_administrator_withdraws_an_invitation_and_its_link_stops_working(
        client, admins, django_capture_on_commit_callbacks):
    world = admins
    invitation, token = _invite(world, django_capture_on_commit_callbacks, "lena@example.org")
    path = _link(mail.outbox[0])
    client.force_login(world.ama)
    page = client.get(reverse("organisation-people", args=[world.orgs["dev"].pk]))
    assert b'data-invitation="lena@example.org"' in page.content
    revoke = reverse("organisation-invitation-revoke", args=[world.orgs["dev"].pk, invitation.pk])
    response = client.post(revoke, follow=True)
    assert response.status_code == 200
    assert b"The invitation to lena@example.org is withdrawn" in response.content
    assert b'data-invitation="lena@example.org"' not in response.content
    invitation.refresh_from_db()
    assert invitation.revoked_by == world.ama and invitation.revoked_at is not None
    assert people_events(world.orgs["dev"]) == [
        ("people.invited", "ama", {"invitation": invitation.pk, "email": "lena@example.org", "role": "member",
                                   "expires_at": invitation.expires_at.isoformat()}),
        ("people.invitation_revoked", "ama", {"invitation": invitation.pk, "email": "lena@example.org",
                                              "role": "member"}),
    ]
    # Lena's link now says why, and creates nobody.
    client.logout()
    opened = client.get(path)
    assert opened.status_code == 403 and b"withdrawn" in opened.content
    client.post(path, {"username": "lena", "password": "Lena-pass-2026!"})
    assert not get_user_model().objects.filter(username="lena").exists()
    with pytest.raises(Refused) as refused:
        services.invitation_for(token)
    assert refused.value.code == "invitation_revoked"
    # Twice is an error on the page, not a second event.
    client.force_login(world.ama)
    again = client.post(revoke, follow=True)
    assert b"already withdrawn" in again.content
    assert len(people_events(world.orgs["dev"])) == 2


def test_only_the_organisations_administrators_withdraw_and_never_a_used_invitation(
        client, admins, django_capture_on_commit_callbacks):
    world = admins
    invitation, token = _invite(world, django_capture_on_commit_callbacks, "lena@example.org")
    revoke = reverse("organisation-invitation-revoke", args=[world.orgs["dev"].pk, invitation.pk])
    # kofi administers Savannah Carbon, not Kpone: 403, nothing written.
    client.force_login(world.kofi)
    assert client.post(revoke).status_code == 403
    with pytest.raises(Refused) as refused:
        services.invitation_revoke(invitation=invitation, user=world.kofi)
    assert refused.value.code == "not_org_admin"
    # Through his own organisation's URL the invitation is not found.
    other = reverse("organisation-invitation-revoke", args=[world.orgs["dev2"].pk, invitation.pk])
    assert client.post(other).status_code == 404
    services.invitation_accept(token=token, username="lena", password="Lena-pass-2026!")
    with pytest.raises(ServiceError) as used:
        services.invitation_revoke(invitation=invitation, user=world.ama)
    assert used.value.code == "invitation_used"
    assert [kind for kind, _actor, _payload in people_events(world.orgs["dev"])] == ["people.invited", "people.joined"]
    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


# --- an invitation to an address that already has a login ------------------------------------

def test_an_invitation_to_an_existing_login_joins_that_login_after_signing_in(
        client, admins, django_capture_on_commit_callbacks):
    world = admins
    users_before = get_user_model().objects.count()
    # Kpone invites kofi (Savannah Carbon's administrator) at the address of his login.
    invitation, token = _invite(world, django_capture_on_commit_callbacks, "Kofi@Example.org")
    path = _link(mail.outbox[0])
    page = client.get(path)
    assert page.status_code == 200 and b'id="invitation-sign-in"' in page.content
    assert b'id="accept-form"' not in page.content
    sign_in = f'{reverse("login")}?{urlencode({"next": path})}'
    assert page.context["login_url"] == sign_in and sign_in.encode() in page.content
    # A second login for the address is never made, by the page or the service.
    response = client.post(path, {"username": "kofi2", "password": "Kofi-pass-2026!"})
    assert response.status_code == 400
    with pytest.raises(ServiceError) as exists:
        services.invitation_accept(token=token, username="kofi2", password="Kofi-pass-2026!")
    assert exists.value.code == "login_exists"
    # Someone else signed in cannot take it.
    lena = f.user("lena", world.orgs["dev"])
    client.force_login(lena)
    assert b'id="accept-signed-in-form"' not in client.get(path).content
    client.post(path)
    with pytest.raises(Refused) as other:
        services.invitation_accept_signed_in(token=token, user=lena)
    assert other.value.code == "invitation_other_login"
    assert not Membership.objects.filter(user=world.kofi, organisation=world.orgs["dev"]).exists()

    client.force_login(world.kofi)
    page = client.get(path)
    assert b'id="accept-signed-in-form"' in page.content
    joined = client.post(path)
    assert joined.status_code == 302 and joined["Location"] == reverse("account")
    assert get_user_model().objects.count() == users_before + 1  # lena only
    assert set(Membership.objects.filter(user=world.kofi).values_list("organisation__name", "is_admin")) == {
        ("Savannah Carbon", True), ("Kpone Green Energy", False)}
    invitation.refresh_from_db()
    assert invitation.accepted_by == world.kofi
    assert people_events(world.orgs["dev"]) == [
        ("people.invited", "ama", {"invitation": invitation.pk, "email": "Kofi@Example.org", "role": "member",
                                   "expires_at": invitation.expires_at.isoformat()}),
        ("people.joined", "kofi", {"invitation": invitation.pk, "member": "kofi", "role": "member",
                                   "existing_login": True}),
    ]
    assert client.post(path).status_code == 403  # used


def test_a_disabled_member_is_not_brought_back_by_an_invitation(admins, django_capture_on_commit_callbacks):
    world = admins
    lena = f.user("lena", world.orgs["dev"])
    services.member_disable(organisation=world.orgs["dev"], member=lena, user=world.ama)
    Membership.objects.filter(user=lena).delete()
    # A new invitation is allowed (she is not a member) but accepting it is refused: re-enable instead.
    _invitation, token = _invite(world, django_capture_on_commit_callbacks, "lena@example.org")
    with pytest.raises(Refused) as refused:
        services.invitation_accept_signed_in(token=token, user=lena)
    assert refused.value.code == "member_disabled"
    assert not Membership.objects.filter(user=lena).exists()


# --- disabling signs the person out and revokes their tokens ----------------------------------

def test_disabling_ends_the_persons_sessions_and_revokes_their_api_tokens(admins):
    world = admins
    lena = f.user("lena", world.orgs["dev"])
    browser, laptop = Client(), Client()
    for c in (browser, laptop):
        assert c.post(reverse("login"), {"username": "lena", "password": "pacm-test-pw"}).status_code == 302
        assert c.get(reverse("account")).status_code == 200
    ama_browser = Client()
    ama_browser.force_login(world.ama)
    token, secret = api_token_create(user=lena, name="mrv-sync")
    spare, _secret2 = api_token_create(user=lena, name="spare")
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200

    response = ama_browser.post(reverse("organisation-member-write", args=[world.orgs["dev"].pk, lena.pk, "disable"]))
    assert response.status_code == 302
    for c in (browser, laptop):
        signed_out = c.get(reverse("account"))
        assert signed_out.status_code == 302 and signed_out["Location"].startswith(reverse("login"))
    assert ApiToken.objects.filter(owner=lena, revoked_at__isnull=True).count() == 0
    assert {t.pk for t in ApiToken.objects.filter(owner=lena, revoked_at__isnull=False)} == {token.pk, spare.pk}
    assert api_token_authenticate(secret) is None
    assert Client().get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    # The administrator who disabled her is still signed in.
    assert ama_browser.get(reverse("account")).status_code == 200
    assert people_events(world.orgs["dev"]) == [
        ("people.disabled", "ama", {"member": "lena", "was_admin": False, "sessions_ended": 2, "tokens_revoked": 2}),
    ]


# --- password reset, rate limited --------------------------------------------------------------

@pytest.fixture
def frozen():
    # 10:15 in an hour's window: the next window opens in 45 minutes.
    with time_machine.travel(datetime.datetime(2026, 6, 1, 10, 15, tzinfo=datetime.UTC), tick=False):
        yield


def test_password_reset_is_limited_per_address_and_says_when_to_retry(client, world, settings, frozen):
    settings.PACM_PASSWORD_RESET_PER_HOUR = 2
    settings.PACM_PASSWORD_RESET_PER_HOUR_PER_CLIENT = 100
    url = reverse("password_reset")
    for _ in range(2):
        assert client.post(url, {"email": "ama@example.org"})["Location"] == reverse("password_reset_done")
    assert len(mail.outbox) == 2
    third = client.post(url, {"email": "AMA@example.org "})
    assert third.status_code == 429 and third["Retry-After"] == str(45 * 60)
    assert b'id="password-reset-retry"' in third.content and b"try again in 45 minutes" in third.content
    assert len(mail.outbox) == 2
    # Another address from the same client is still served.
    assert client.post(url, {"email": "kofi@example.org"}).status_code == 302
    assert len(mail.outbox) == 3
    # The next hour, the address is served again.
    with time_machine.travel(datetime.datetime(2026, 6, 1, 11, 0, 1, tzinfo=datetime.UTC), tick=False):
        assert client.post(url, {"email": "ama@example.org"}).status_code == 302
    assert len(mail.outbox) == 4


def test_the_limit_answers_alike_for_an_address_with_no_login(client, world, settings, frozen):
    settings.PACM_PASSWORD_RESET_PER_HOUR = 1
    settings.PACM_PASSWORD_RESET_PER_HOUR_PER_CLIENT = 100
    url = reverse("password_reset")
    answers = {}
    for email in ("ama@example.org", "nobody-here@example.org"):
        first = client.post(url, {"email": email})
        second = client.post(url, {"email": email})
        # The page's CSRF token is masked afresh on each render: the rest is the same.
        page = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]+"', b"", second.content)
        answers[email] = (first.status_code, first["Location"], second.status_code, page)
    assert answers["ama@example.org"] == answers["nobody-here@example.org"]
    assert answers["ama@example.org"][2] == 429
    assert [m.to for m in mail.outbox] == [["ama@example.org"]]


def test_password_reset_is_limited_per_client_address(world, settings, frozen):
    settings.PACM_PASSWORD_RESET_PER_HOUR = 100
    settings.PACM_PASSWORD_RESET_PER_HOUR_PER_CLIENT = 3
    url = reverse("password_reset")
    one, two = Client(REMOTE_ADDR="203.0.113.7"), Client(REMOTE_ADDR="198.51.100.9")
    for n in range(3):
        assert one.post(url, {"email": f"someone{n}@example.org"}).status_code == 302
    refused = one.post(url, {"email": "ama@example.org"})
    assert refused.status_code == 429 and b"try again in 45 minutes" in refused.content
    assert mail.outbox == []
    # Another client address is not held back by the first one.
    assert two.post(url, {"email": "ama@example.org"}).status_code == 302
    assert [m.to for m in mail.outbox] == [["ama@example.org"]]
