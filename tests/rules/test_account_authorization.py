"""Rule 4: a holding account only for a Party, or for an entity a Party has authorized, and the
authorization it rests on is recorded on the account (pacm issue 6 §5).

RMP 63 (3/CMA.3 annex): the registry has a holding account for each Party and for each *authorized*
entity that requests one. 7/CMA.4 annex I para 33: opening an entity's account is approved by the
Party that authorized it, and the account is tied to that Party. A6.4-PROC-REGS-001 v02.1 paras
27-32: an activity participant's account follows its authorizing Party's authorization; any other
entity's rests on the Party's authorization submitted through its DNA; each holding account is
authorized by exactly one Party.
"""
import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from pacm.common.errors import ServiceError
from pacm.events.models import Event
from pacm.registry.models import Account, AccountKind, AuthorizationBasis
from pacm.registry.services import account_open
from projects import services
from projects.cycle import ActivityState as A
from tests import factories as f

LETTER = {"authorization_document": "GH-LoA-2025-031", "authorization_date": datetime.date(2025, 3, 1)}


def _unchanged(count, events):
    return (Account.objects.count(), Event.objects.count()) == (count, events)


@pytest.fixture
def volta(world):
    """A Ghanaian company its Party has authorized (RMP 45), holding no account yet."""
    return f.organisation("Volta Solar", "participant", party=world.host, authorized_by_party=True)


def test_no_account_for_an_entity_no_party_has_authorized(world):
    """RMP 63; 7/CMA.4 annex I para 33: not authorized (and not in any host approval): refused, nothing written."""
    unvetted = f.organisation("Unvetted Trading", "participant", party=world.host, authorized_by_party=False)
    count, events = Account.objects.count(), Event.objects.count()
    for user in (None, world.dina, world.sam):
        with pytest.raises(ServiceError, match=r"has not been authorized by Ghana.*RMP 63"):
            account_open(kind=AccountKind.HOLDING, name="Unvetted", organisation=unvetted, user=user, **LETTER)
    assert _unchanged(count, events)


def test_an_authorized_entity_needs_the_document_and_date_it_rests_on(world, volta):
    """PROC-REGS-001 v02.1 paras 27-31: the Party's authorization is named and dated, or nothing is opened."""
    count, events = Account.objects.count(), Event.objects.count()
    for given, field in (({}, "authorization_document"),
                         ({"authorization_document": "GH-LoA-1"}, "authorization_date"),
                         ({"authorization_document": "GH-LoA-1",
                           "authorization_date": timezone.localdate() + datetime.timedelta(days=1)},
                          "authorization_date")):
        with pytest.raises(ServiceError) as caught:
            account_open(kind=AccountKind.HOLDING, name="Volta", organisation=volta, user=world.dina, **given)
        assert caught.value.field == field
    assert _unchanged(count, events)


def test_the_partys_letter_is_recorded_on_the_account_and_in_its_event(world, volta):
    """7/CMA.4 annex I para 33; REGS-001 para 32: which Party, which document, which date, kept on the account."""
    account = account_open(kind=AccountKind.HOLDING, name="Volta main", organisation=volta, user=world.dina, **LETTER)
    assert (account.authorized_by, account.authorization_basis, account.authorization_document,
            account.authorization_date, account.host_approval) == (
        world.host, AuthorizationBasis.PARTY_AUTHORIZATION, "GH-LoA-2025-031", datetime.date(2025, 3, 1), None)
    event = Event.objects.get(stream=f"account:{account.number}")
    assert (event.payload["authorized_by"], event.payload["authorization_document"],
            event.payload["authorization_date"]) == ("GH", "GH-LoA-2025-031", "2025-03-01")


def test_a_participant_authorized_in_the_host_approval_rests_on_that_approval(world, activity, advance_to):
    """RMP 41; REGS-001 para 27: the host approval's authorization of the participant is found and recorded."""
    activity = advance_to(activity, A.REGISTRATION_REQUESTED)
    approval = activity.host_approvals.get()
    dev = world.orgs["dev"]
    type(dev).objects.filter(pk=dev.pk).update(authorized_by_party=False)  # no letter: the approval is the basis
    dev.refresh_from_db()
    account = account_open(kind=AccountKind.HOLDING, name="Kpone main", organisation=dev, user=world.dina)
    assert (account.authorized_by, account.authorization_basis, account.host_approval) == (
        world.host, AuthorizationBasis.HOST_APPROVAL, approval)
    assert account.authorization_document == f"Host approval v1 of {activity.reference} (RMP 41)"
    assert account.authorization_date == timezone.localdate(approval.issued_at)


def test_an_account_authorized_by_the_host_of_a_foreign_participant_is_tied_to_the_host(
        world, activity, advance_to):
    """REGS-001 v02.1 para 32: each holding account is authorized by one Party, and an entity may hold
    accounts authorized by different Parties: Ghana's approval authorizes a Kenyan participant, so
    Ghana's DNA opens an account tied to Ghana."""
    dev2 = world.orgs["dev2"]
    activity.participants.add(dev2)
    activity = advance_to(activity, A.VALIDATED)
    services.host_approval_issue(activity=activity, user=world.dina, sd_confirmation="SD.", ndc_relation="NDC.",
                                 authorized_participants=[world.orgs["dev"], dev2])
    account = account_open(kind=AccountKind.HOLDING, name="Savannah in Ghana", organisation=dev2,
                           authorized_by=world.host, user=world.dina)
    assert (account.authorized_by, account.authorization_basis, account.owner_party_id) == (
        world.host, AuthorizationBasis.HOST_APPROVAL, world.host.pk)
    # Its own Party's account still needs Kenya's letter: Ghana's approval does not stand for Kenya.
    with pytest.raises(ServiceError, match="Give the reference and the date of Kenya's authorization"):
        account_open(kind=AccountKind.HOLDING, name="Savannah", organisation=dev2, user=world.nils)


def test_a_partys_own_account_rests_on_the_party(world):
    """RMP 63: each Party may have its own holding account; its basis is the Party itself."""
    account = account_open(kind=AccountKind.HOLDING, name="Ghana holding", party=world.host, user=world.dina)
    assert (account.authorized_by, account.authorization_basis) == (world.host, AuthorizationBasis.PARTY)


def test_the_web_form_asks_for_the_authorization_and_saves_nothing_without_it(as_user, world, volta):
    """RMP 63 through the web: the DNA's form says what is missing, on its field; no account is opened."""
    client = as_user(world.dina)
    response = client.post(reverse("registry-account-open"), {"open-organisation": volta.pk, "open-name": "Volta"})
    html = response.content.decode()
    assert response.status_code == 200 and "Give the reference and the date of Ghana" in html
    assert not Account.objects.filter(organisation=volta).exists()
