"""Invitations (pacm issue 9): an administrator invites by e-mail; the signed link creates the
login and the membership once, before it expires; a tampered link is refused."""
import datetime
import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from pacm.common.errors import Refused, ServiceError
from pacm.parties.models import Membership
from pacm.parties.roles import Role, actor_for_role, user_roles
from pacm.people import services
from pacm.people.models import Invitation

from .conftest import people_events


def _invite(world, capture, email="lena@example.org", role="member"):
    with capture(execute=True):
        return services.member_invite(organisation=world.orgs["dev"], email=email, role=role, user=world.ama)


def test_invite_mails_a_link_that_creates_the_login_and_membership(client, admins, django_capture_on_commit_callbacks):
    world = admins
    invitation, token = _invite(world, django_capture_on_commit_callbacks)
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["lena@example.org"]
    assert message.subject == "You are invited to join Kpone Green Energy on pacm"
    path = re.search(r"https?://[^/\s]+(/account/invitation/[^\s]+/)", message.body).group(1)
    assert path == reverse("invitation-accept", args=[token])

    page = client.get(path)
    assert page.status_code == 200 and b"lena@example.org" in page.content
    response = client.post(path, {"username": "lena", "password": "Lena-pass-2026!"})
    assert response.status_code == 302 and response["Location"] == reverse("login")

    lena = get_user_model().objects.get(username="lena")
    assert lena.email == "lena@example.org" and lena.check_password("Lena-pass-2026!")
    membership = Membership.objects.get(user=lena)
    assert membership.organisation == world.orgs["dev"] and membership.is_admin is False
    assert user_roles(lena) == {Role.PARTICIPANT}
    invitation.refresh_from_db()
    assert invitation.accepted_by == lena and invitation.accepted_at is not None
    assert people_events(world.orgs["dev"]) == [
        ("people.invited", "ama", {"invitation": invitation.pk, "email": "lena@example.org", "role": "member",
                                   "expires_at": invitation.expires_at.isoformat()}),
        ("people.joined", "lena", {"invitation": invitation.pk, "member": "lena", "role": "member"}),
    ]
    # Once: the same link again is refused, and nothing more is written.
    again = client.post(path, {"username": "lena2", "password": "Lena-pass-2026!"})
    assert again.status_code == 403
    assert not get_user_model().objects.filter(username="lena2").exists()


def test_an_admin_invitation_makes_an_administrator(admins, django_capture_on_commit_callbacks):
    _invitation, token = _invite(admins, django_capture_on_commit_callbacks, role="admin")
    user = services.invitation_accept(token=token, username="lena", password="Lena-pass-2026!")
    assert Membership.objects.get(user=user).is_admin is True


def test_an_expired_invitation_is_refused(admins, django_capture_on_commit_callbacks, time_machine, settings):
    settings.PACM_INVITATION_DAYS = 7
    _invitation, token = _invite(admins, django_capture_on_commit_callbacks)
    time_machine.move_to(timezone.now() + datetime.timedelta(days=7, seconds=1), tick=False)
    with pytest.raises(Refused) as refused:
        services.invitation_accept(token=token, username="lena", password="Lena-pass-2026!")
    assert refused.value.code == "invitation_expired"
    assert not get_user_model().objects.filter(username="lena").exists()


def test_a_tampered_link_is_refused(client, admins, django_capture_on_commit_callbacks):
    invitation, token = _invite(admins, django_capture_on_commit_callbacks)
    forged = token[:-2] + ("AA" if not token.endswith("AA") else "BB")
    with pytest.raises(Refused) as refused:
        services.invitation_accept(token=forged, username="lena", password="Lena-pass-2026!")
    assert refused.value.code == "invitation_invalid"
    # A valid signature over another invitation's id with this one's nonce is refused too.
    from django.core import signing

    other = signing.dumps({"i": invitation.pk + 1, "n": invitation.nonce}, salt=services.SALT)
    with pytest.raises(Refused):
        services.invitation_for(other)
    assert client.get(reverse("invitation-accept", args=[forged])).status_code == 403
    assert client.get(reverse("invitation-accept", args=["nonsense"])).status_code == 403
    assert [k for k, _a, _p in people_events(admins.orgs["dev"])] == ["people.invited"]


def test_taken_username_and_weak_password_are_clear_errors(admins, django_capture_on_commit_callbacks):
    _invitation, token = _invite(admins, django_capture_on_commit_callbacks)
    with pytest.raises(ServiceError) as taken:
        services.invitation_accept(token=token, username="Kofi", password="Lena-pass-2026!")
    assert taken.value.code == "username_taken"
    with pytest.raises(ServiceError) as weak:
        services.invitation_accept(token=token, username="lena", password="123")
    assert weak.value.code == "password_invalid"
    assert Invitation.objects.get().accepted_at is None


def test_only_an_administrator_of_that_organisation_invites(admins, django_capture_on_commit_callbacks):
    world = admins
    # kofi administers Savannah Carbon, not Kpone; dora is a plain DOE member; SB is not self-service.
    with pytest.raises(Refused) as other_org:
        services.member_invite(organisation=world.orgs["dev"], email="x@example.org", role="member", user=world.kofi)
    assert other_org.value.code == "not_org_admin"
    with pytest.raises(Refused) as plain:
        services.member_invite(organisation=world.orgs["doe"], email="x@example.org", role="member", user=world.dora)
    assert plain.value.code == "not_org_admin"
    Membership.objects.filter(user=world.sofia).update(is_admin=True)
    with pytest.raises(Refused) as sb:
        services.member_invite(organisation=world.orgs["sb"], email="x@example.org", role="member", user=world.sofia)
    assert sb.value.code == "kind_not_self_service"
    with pytest.raises(Refused) as escalate:
        services.member_invite(organisation=world.orgs["dev"], email="x@example.org", role="secretariat",
                               user=world.ama)
    assert escalate.value.code == "role_not_allowed"
    with pytest.raises(ServiceError) as member:
        services.member_invite(organisation=world.orgs["dev"], email="AMA@example.org", role="member", user=world.ama)
    assert member.value.code == "already_member"
    with pytest.raises(ServiceError) as bad:
        services.member_invite(organisation=world.orgs["dev"], email="not an address", role="member", user=world.ama)
    assert bad.value.code == "email_invalid"
    assert Invitation.objects.count() == 0
    assert people_events(world.orgs["dev"]) == [] and people_events(world.orgs["sb"]) == []
    assert mail.outbox == []


def test_the_invite_form_on_the_people_page(client, admins, django_capture_on_commit_callbacks):
    world = admins
    client.force_login(world.ama)
    url = reverse("organisation-invite", args=[world.orgs["dev"].pk])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(url, {"email": "lena@example.org", "role": "member"})
    assert response.status_code == 302
    assert Invitation.objects.get().email == "lena@example.org" and len(mail.outbox) == 1
    bad = client.post(url, {"email": "x" * 300 + "@example.org", "role": "member"})
    assert bad.status_code == 400 and Invitation.objects.count() == 1
    client.force_login(world.kofi)
    assert client.post(url, {"email": "m@example.org", "role": "member"}).status_code == 403
    assert client.get(reverse("organisation-people", args=[world.orgs["dev"].pk])).status_code == 403
    assert actor_for_role(world.kofi, Role.PARTICIPANT) is not None  # kofi keeps his own
