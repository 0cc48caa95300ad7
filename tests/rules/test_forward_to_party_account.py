"""Rule 3: part of the net may be forwarded to a Party's holding account (pacm issue 6 §5).

RMP 60 and 7/CMA.4 annex I para 41: after the share of proceeds and the OMGE cancellation, the
remaining A6.4ERs are forwarded, as the activity participants instruct, to the holding accounts of
participants *or Parties*. An entity that is not a participant of the activity still receives nothing.
"""
import pytest
from django.urls import reverse

from pacm.common.errors import ServiceError
from pacm.registry.models import AccountKind, LedgerTransaction, TransactionKind, UnitBlock
from pacm.registry.services import account_open
from projects import services
from projects.cycle import PeriodState as P
from projects.models import IssuanceRequest


def held(account):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account))


@pytest.fixture
def party_accounts(world, registered):
    """The host Party's (Ghana) and another Party's (Kenya) own holding accounts (RMP 63)."""
    world.gh_party = account_open(kind=AccountKind.HOLDING, name="Ghana Party holding", party=world.host)
    world.ke_party = account_open(kind=AccountKind.HOLDING, name="Kenya Party holding", party=world.other)
    return world


def test_the_net_is_split_between_a_participant_and_two_parties(world, registered, party_accounts, submit, drive):
    """7/CMA.4 annex I para 41: 30,000 issued, 27,900 net: 50 % to the participant, 30 % to Kenya, 20 % to Ghana."""
    lines = [{"account": world.acct, "percent": "50"}, {"account": world.ke_party, "percent": "30"},
             {"account": world.gh_party, "percent": "20"}]
    period = drive(submit(registered), P.ISSUED, lines=lines)
    assert period.issuance.net == 27_900
    assert (held(world.acct), held(world.ke_party), held(world.gh_party)) == (13_950, 8_370, 5_580)
    forwards = {t.to_account_id: t for t in LedgerTransaction.objects.filter(kind=TransactionKind.FORWARDING)}
    # NDC-authorized units into another Party's account: an international first transfer with a CA
    # (2/CMA.3 annex para 2(a)); into the host's own account or its participant's: neither.
    assert (forwards[world.ke_party.pk].first_transfer, forwards[world.ke_party.pk].corresponding_adjustment) == (
        True, True)
    assert not forwards[world.gh_party.pk].first_transfer and not forwards[world.acct.pk].first_transfer


def test_the_period_page_offers_the_parties_accounts(as_user, world, registered, party_accounts, submit, drive):
    """RMP 60; 7/CMA.4 annex I para 41: the DOE's request form lists the Parties' holding accounts too."""
    period = drive(submit(registered), P.VERIFIED)
    url = reverse("period-detail", kwargs={"reference": period.activity.reference, "number": period.number})
    html = as_user(world.dora).get(url).content.decode()
    assert f'<option value="{world.ke_party.number}">Kenya Party holding (Party: Kenya)</option>' in html
    assert f'<option value="{world.acct.number}">' in html


def test_an_entity_that_is_not_a_participant_still_receives_nothing(world, registered, party_accounts, submit,
                                                                     drive):
    """RMP 60: an entity account must be a participant's; the refusal names both kinds allowed."""
    period = drive(submit(registered), P.VERIFIED)
    with pytest.raises(ServiceError, match="neither a holding account of this activity's participants nor a Party"):
        services.period_request_issuance(period=period, user=world.dora, units_requested=30_000,
                                         lines=[{"account": world.foreign, "percent": "100"}])
    assert not IssuanceRequest.objects.exists()
