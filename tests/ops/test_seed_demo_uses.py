"""pacm issue 9: every use the demo's account pages offer works (once "Retire for NDC use" failed:
the host Party had no retirement account). Each is reviewed and confirmed through the web."""
import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from pacm.events.models import Event, EventKind
from pacm.registry.forms import USES as OFFERED
from pacm.registry.models import Account, AccountKind, LedgerTransaction, UnitBlock
from pacm.registry.services.transfers import USES


def test_each_partys_holding_account_has_a_retirement_account(demo):
    for holding in Account.objects.filter(kind=AccountKind.HOLDING, organisation__isnull=False):
        retirement = Account.objects.get(kind=AccountKind.RETIREMENT, party_id=holding.owner_party_id)
        assert retirement.name.endswith("retirement account")
    # Opened through the service, on the Party's stream, by its DNA.
    opened = Event.objects.filter(kind=EventKind.ACCOUNT_OPENED, payload__kind=AccountKind.RETIREMENT)
    # dna-mm: the Myanmar DNA, for the holding account of the real PoA 10471's issuance
    # (projects/real_activities.py, loaded by the seed too).
    assert sorted(e.actor_label for e in opened) == ["dna", "dna-mm", "dna2"]


@pytest.mark.parametrize("username", ["developer", "developer2"])
def test_every_use_offered_in_the_demo_succeeds(demo, client, username):
    user = get_user_model().objects.get(username=username)
    client.force_login(user)
    account = Account.objects.get(kind=AccountKind.HOLDING, organisation__memberships__user=user)
    page = client.get(reverse("registry-account", kwargs={"number": account.number})).content.decode()
    tried = []
    for use, _label in OFFERED:
        _kind, filters, _what = USES[use]
        if not UnitBlock.objects.filter(account=account, **filters).exists():
            continue  # the form offers it; the account holds no unit it applies to (refused with that)
        assert f'value="{use}"' in page
        data = {"use-use": use, "use-quantity": "1", "use-purpose": f"Demo {use}", "use-beneficiary": "",
                "use-party": str(account.owner_party_id) if use == "retirement" else ""}
        url = reverse("registry-use", kwargs={"number": account.number})
        review = client.post(url, {**data, "review": "1"})
        assert review.status_code == 200, review.content.decode()
        token = re.search(r'name="confirm" value="([^"]+)"', review.content.decode()).group(1)
        before = LedgerTransaction.objects.count()
        response = client.post(url, {**data, "confirm": token})
        assert response.status_code == 302, response.content.decode()
        assert LedgerTransaction.objects.count() == before + 1
        tried.append(use)
    assert "retirement" in tried and "voluntary" in tried
