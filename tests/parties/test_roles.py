"""Who may act as what (pacm.parties.roles; rules.md §1): a role follows from the organisation's
kind and its tie to the activity; anything not found is a no (deny by default)."""
import datetime

import pytest
from django.contrib.auth.models import AnonymousUser

from pacm.parties.models import Membership, Party, PartyStatus
from pacm.parties.roles import Actor, Role, actor_for, actor_for_role, user_roles
from projects.cycle import ActivityState as A

ALL_ROLES = set(Role) - {Role.TIMER}

# Persona -> the role it holds on the activity once dora is engaged; absent = none at all.
TIED = {"ama": Role.PARTICIPANT, "dora": Role.DOE, "dina": Role.DNA, "sam": Role.SECRETARIAT, "sofia": Role.SB}


@pytest.mark.parametrize("persona", ["ama", "kofi", "dora", "otto", "dina", "nils", "sam", "sofia"])
def test_each_persona_holds_exactly_its_role_on_the_activity(world, activity, advance_to, persona):
    activity = advance_to(activity, A.VALIDATION_CONTRACTED)
    user = world.people[persona]
    for role in ALL_ROLES:
        actor = actor_for(user, activity, {role})
        if TIED.get(persona) == role:
            assert actor == Actor(user=user, organisation=user.memberships.get().organisation, role=role)
        else:
            assert actor is None, (persona, role)


def test_the_doe_tie_follows_the_stage(world, activity, advance_to):
    """Before registration the validation DOE acts; after it, the verification DOE."""
    activity = advance_to(activity, A.REGISTERED)
    assert actor_for(world.dora, activity, {Role.DOE}) is None
    activity.verification_doe = world.orgs["doe2"]
    activity.save(update_fields=["verification_doe"])
    assert actor_for(world.otto, activity, {Role.DOE}).organisation == world.orgs["doe2"]


def test_nobody_acts_for_the_timer(world, activity):
    for user in world.people.values():
        assert actor_for(user, activity, {Role.TIMER}) is None


def test_anonymous_and_inactive_users_hold_no_role(world, activity):
    assert actor_for(AnonymousUser(), activity, ALL_ROLES) is None
    assert actor_for(None, activity, ALL_ROLES) is None
    assert actor_for_role(AnonymousUser(), Role.SECRETARIAT) is None
    world.sam.is_active = False
    world.sam.save()
    assert actor_for(world.sam, activity, {Role.SECRETARIAT}) is None
    assert actor_for_role(world.sam, Role.SECRETARIAT) is None


def test_mechanism_wide_roles(world):
    assert actor_for_role(world.sam, Role.SECRETARIAT).organisation == world.orgs["sec"]
    assert actor_for_role(world.sofia, Role.SB).organisation == world.orgs["sb"]
    assert actor_for_role(world.sofia, Role.SECRETARIAT) is None
    assert actor_for_role(world.ama, Role.SB) is None


def test_a_user_in_two_organisations_acts_through_the_tied_one(world, activity):
    Membership.objects.create(user=world.nils, organisation=world.orgs["dna"])
    assert user_roles(world.nils) == {Role.DNA}
    assert actor_for(world.nils, activity, {Role.DNA}).organisation == world.orgs["dna"]


def test_timer_actor(db):
    timer = Actor.timer("close_consultation")
    assert (timer.user, timer.organisation, timer.role) == (None, None, Role.TIMER)
    assert timer.name == "timer:close_consultation"


def test_participation_needs_every_rmp26_condition(db):
    for flag in ("dna_designated", "has_ndc", "sd_contribution_published", "activity_types_published"):
        party = Party(iso2="ZZ", name="Zed", dna_designated=True, has_ndc=True, sd_contribution_published=True,
                      activity_types_published=True)
        assert party.participates
        setattr(party, flag, False)
        assert not party.participates, flag


def test_ldc_or_sids_status_is_dated(world):
    PartyStatus.objects.create(party=world.host, kind=PartyStatus.Kind.LDC, valid_from=datetime.date(2020, 1, 1),
                               valid_to=datetime.date(2024, 12, 31))
    assert not world.host.is_ldc_or_sids(datetime.date(2019, 12, 31))
    assert world.host.is_ldc_or_sids(datetime.date(2020, 1, 1))
    assert world.host.is_ldc_or_sids(datetime.date(2024, 12, 31))
    assert not world.host.is_ldc_or_sids(datetime.date(2025, 1, 1))
    assert not world.other.is_ldc_or_sids(datetime.date(2022, 1, 1))
