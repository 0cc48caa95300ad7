"""Disable, re-enable and assign roles (pacm issue 9): each through a service that records its
event; deny by default (another organisation's administrator, the last administrator, a role
the kind does not allow)."""
import pytest
from django.urls import reverse

from pacm.common.errors import Refused, ServiceError
from pacm.parties.models import Membership
from pacm.parties.roles import Role, actor_for, user_roles
from pacm.people import services
from pacm.people.models import DisabledMember
from projects import services as project_services
from tests import factories as f

from .conftest import people_events


@pytest.fixture
def lena(admins):
    return f.user("lena", admins.orgs["dev"])


def test_disable_takes_every_role_away_and_enable_brings_the_member_back(admins, lena, activity):
    world = admins
    assert actor_for(lena, activity, {Role.PARTICIPANT}) is not None
    services.member_disable(organisation=world.orgs["dev"], member=lena, user=world.ama)
    assert not Membership.objects.filter(user=lena).exists()
    assert DisabledMember.objects.get(user=lena).disabled_by == world.ama
    assert user_roles(lena) == frozenset()
    assert actor_for(lena, activity, {Role.PARTICIPANT}) is None
    with pytest.raises(Refused):
        project_services.activity_notify_prior_consideration(activity=activity, user=lena)

    services.member_enable(organisation=world.orgs["dev"], member=lena, user=world.ama)
    membership = Membership.objects.get(user=lena, organisation=world.orgs["dev"])
    assert membership.is_admin is False and not DisabledMember.objects.exists()
    assert actor_for(lena, activity, {Role.PARTICIPANT}) is not None
    assert people_events(world.orgs["dev"]) == [
        ("people.disabled", "ama", {"member": "lena", "was_admin": False, "sessions_ended": 0,
                                    "tokens_revoked": 0}),
        ("people.enabled", "ama", {"member": "lena", "role": "member"}),
    ]


def test_role_assignment_records_from_and_to(admins, lena):
    world = admins
    services.member_role_assign(organisation=world.orgs["dev"], member=lena, role="admin", user=world.ama)
    assert Membership.objects.get(user=lena).is_admin is True
    services.member_role_assign(organisation=world.orgs["dev"], member=world.ama, role="member", user=lena)
    assert Membership.objects.get(user=world.ama).is_admin is False
    assert people_events(world.orgs["dev"]) == [
        ("people.role_assigned", "ama", {"member": "lena", "from_role": "member", "to_role": "admin"}),
        ("people.role_assigned", "lena", {"member": "ama", "from_role": "admin", "to_role": "member"}),
    ]


def test_refusals_change_nothing_and_record_nothing(admins, lena):
    world = admins
    dev, dev2 = world.orgs["dev"], world.orgs["dev2"]
    cases = [
        # kofi administers Savannah Carbon: Kpone's people are not his.
        (lambda: services.member_disable(organisation=dev, member=lena, user=world.kofi), Refused, "not_org_admin"),
        (lambda: services.member_role_assign(organisation=dev, member=lena, role="admin", user=world.kofi),
         Refused, "not_org_admin"),
        # ama cannot reach kofi through her own organisation either.
        (lambda: services.member_disable(organisation=dev, member=world.kofi, user=world.ama), ServiceError,
         "not_member"),
        (lambda: services.member_disable(organisation=dev2, member=world.kofi, user=world.ama), Refused,
         "not_org_admin"),
        # A plain member administers nothing.
        (lambda: services.member_role_assign(organisation=dev, member=lena, role="admin", user=lena), Refused,
         "not_org_admin"),
        # No role beyond what the kind allows.
        (lambda: services.member_role_assign(organisation=dev, member=lena, role="secretariat", user=world.ama),
         Refused, "role_not_allowed"),
        # The last administrator stays.
        (lambda: services.member_disable(organisation=dev, member=world.ama, user=world.ama), ServiceError,
         "last_admin"),
        (lambda: services.member_role_assign(organisation=dev, member=world.ama, role="member", user=world.ama),
         ServiceError, "last_admin"),
        (lambda: services.member_role_assign(organisation=dev, member=lena, role="member", user=world.ama),
         ServiceError, "role_unchanged"),
        (lambda: services.member_enable(organisation=dev, member=lena, user=world.ama), ServiceError, "not_disabled"),
    ]
    for call, error, code in cases:
        with pytest.raises(error) as raised:
            call()
        assert raised.value.code == code, (code, raised.value.code)
    assert people_events(dev) == [] and people_events(dev2) == []
    assert set(Membership.objects.filter(organisation=dev).values_list("user__username", "is_admin")) == {
        ("ama", True), ("lena", False)}


def test_a_disabled_administrator_cannot_administer(admins, lena):
    world = admins
    services.member_role_assign(organisation=world.orgs["dev"], member=lena, role="admin", user=world.ama)
    services.member_disable(organisation=world.orgs["dev"], member=lena, user=world.ama)
    with pytest.raises(Refused):
        services.member_enable(organisation=world.orgs["dev"], member=lena, user=lena)
    assert people_events(world.orgs["dev"])[-1] == ("people.disabled", "ama", {
        "member": "lena", "was_admin": True, "sessions_ended": 0, "tokens_revoked": 0})


def test_the_people_page_and_its_buttons(client, admins, lena):
    world = admins
    client.force_login(world.ama)
    page = client.get(reverse("organisation-people", args=[world.orgs["dev"].pk]))
    assert page.status_code == 200 and b'data-member="lena"' in page.content
    disable = reverse("organisation-member-write", args=[world.orgs["dev"].pk, lena.pk, "disable"])
    assert client.post(disable).status_code == 302
    assert DisabledMember.objects.filter(user=lena).exists()
    # The last administrator: a message, nothing changes.
    own = reverse("organisation-member-write", args=[world.orgs["dev"].pk, world.ama.pk, "disable"])
    response = client.post(own, follow=True)
    assert b"last administrator" in response.content and Membership.objects.filter(user=world.ama).exists()
    role = reverse("organisation-member-write", args=[world.orgs["dev"].pk, world.ama.pk, "role"])
    assert client.post(role, {"role": "nonsense"}, follow=True).status_code == 200
    assert Membership.objects.get(user=world.ama).is_admin is True
    client.force_login(world.kofi)
    enable = reverse("organisation-member-write", args=[world.orgs["dev"].pk, lena.pk, "enable"])
    assert client.post(enable).status_code == 403 and DisabledMember.objects.filter(user=lena).exists()


def test_the_people_page_reads_the_same_queries_for_3_or_30_members(client, admins):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    world = admins
    client.force_login(world.ama)
    url = reverse("organisation-people", args=[world.orgs["dev"].pk])

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(url).status_code == 200
        return len(queries)

    for i in range(2):
        f.user(f"few{i}", world.orgs["dev"])
    few = count()
    for i in range(27):
        f.user(f"many{i}", world.orgs["dev"])
    assert count() == few


def test_huge_ids_are_a_404_not_a_500(client, admins):
    client.force_login(admins.ama)
    huge = 2**64
    assert client.get(f"/account/organisations/{huge}/").status_code == 404
    dev = admins.orgs["dev"].pk
    assert client.post(f"/account/organisations/{dev}/members/{huge}/disable/").status_code == 404
