"""Opening and finding accounts (rules.md §5.1; 7/CMA.4 annex I paras 32-33, 44)."""
import datetime
import re

import pytest
from django.db import IntegrityError, transaction

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from pacm.registry.models import Account, AccountKind
from pacm.registry.services import account_get, account_open
from tests import factories as f


def test_opened_accounts_get_generated_numbers_and_an_event(reg):
    assert re.fullmatch(r"PACM-H-\d{6}", reg.acct.number) and reg.acct.number.endswith(f"{reg.acct.pk:06d}")
    assert re.fullmatch(r"PACM-R-\d{6}", reg.ke_retire.number)
    event = Event.objects.get(stream=f"account:{reg.acct.number}")
    assert event.kind == "registry.account_opened" and event.actor_label == "registry administrator"
    assert event.payload == {"number": reg.acct.number, "kind": "holding", "name": "Kpone main",
                             "organisation": "Kpone Green Energy", "party": None,
                             "authorized_by": "GH", "authorization_basis": "party_authorization",
                             "authorization_document": "Letter of authorization", "authorization_date": "2024-01-01"}


def test_secretariat_or_the_partys_dna_opens_accounts(reg):
    letter = {"authorization_document": "KE letter 7", "authorization_date": datetime.date(2024, 5, 1)}
    by_sam = account_open(kind=AccountKind.HOLDING, name="By sam", organisation=reg.orgs["dev2"], user=reg.sam,
                          **letter)
    by_nils = account_open(kind=AccountKind.HOLDING, name="By nils", organisation=reg.orgs["dev2"], user=reg.nils,
                           **letter)
    event = Event.objects.get(stream=f"account:{by_nils.number}")
    assert (event.actor_id, event.role) == (reg.nils.pk, "dna")
    assert by_sam.organisation == reg.orgs["dev2"]
    count = Account.objects.count()
    for user in (reg.dina, reg.ama, reg.sofia):  # Ghana's DNA does not speak for a Kenyan entity
        with pytest.raises(Refused):
            account_open(kind=AccountKind.HOLDING, name="No", organisation=reg.orgs["dev2"], user=user, **letter)
    assert Account.objects.count() == count


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"kind": AccountKind.PENDING}, "Only holding and retirement"),
        ({"kind": "savings"}, "Only holding and retirement"),
        ({"name": " "}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"organisation": None}, "either one entity or one Party"),
        ({"party": "host"}, "either one entity or one Party"),
        ({"organisation": "doe"}, "not an entity that holds units"),
        ({"organisation": "stateless"}, "no Party to tie"),
        ({"kind": AccountKind.RETIREMENT}, "belongs to a Party"),
        ({"kind": AccountKind.RETIREMENT, "organisation": None, "party": "other"}, "already has a retirement"),
    ],
)
def test_bad_account_requests_change_nothing(reg, kwargs, message):
    orgs = {"doe": reg.orgs["doe"], "stateless": f.organisation("Stateless Ltd", "participant")}
    parties = {"host": reg.host, "other": reg.other}
    args = {"kind": AccountKind.HOLDING, "name": "New", "organisation": reg.orgs["dev"], **kwargs}
    args["organisation"] = orgs.get(args["organisation"], args["organisation"])
    if "party" in args:
        args["party"] = parties[args["party"]]
    count, events = Account.objects.count(), Event.objects.count()
    with pytest.raises(ServiceError, match=message):
        account_open(**args)
    assert (Account.objects.count(), Event.objects.count()) == (count, events)


def test_account_get_returns_the_mechanism_singletons(db):
    assert account_get(AccountKind.PENDING).number == "PACM-PENDING"
    assert account_get(AccountKind.BUFFER).number == "PACM-BUFFER"
    with pytest.raises(ServiceError, match="no single"):
        account_get(AccountKind.HOLDING)


def test_the_database_refuses_accounts_that_break_the_ownership_rules(reg):
    for kwargs in (
        {"kind": AccountKind.HOLDING},  # nobody's
        {"kind": AccountKind.RETIREMENT, "party": reg.other},  # Kenya has one already
        {"kind": AccountKind.PENDING},  # a second pending account
        {"kind": AccountKind.BUFFER, "party": reg.host},
    ):
        with pytest.raises(IntegrityError), transaction.atomic():
            Account.objects.create(number=f"X-{kwargs['kind']}", name="x", **kwargs)
