"""A Party's write through the API (pacm issue 9): `open_account`, a holding account for one of its
entities (7/CMA.4 annex I para 33; RMP 63; PROC-REGS-001 v02.1 paras 27-31), by the registry
administrator (the secretariat) or the Party's DNA, as the accounts page opens it
(pacm.registry.views.account_open): the page's AccountOpenForm, its organisations those of this
Party without a holding account, then `services.account_open`. The answer's `created` is the account.
"""
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Path as PathParam

from pacm.parties.models import Party
from pacm.registry import selectors, services
from pacm.registry.forms import AccountOpenForm
from pacm.registry.machine import PARTY
from pacm.registry.models import AccountKind

from .actions import api_write, form_read, subject_routes
from .registry import router


def _account_open(party, user, body, item):
    """inputs: organisation (an entity of this Party without a holding account), name,
    authorization_document, authorization_date."""
    organisations = selectors.organisations_without_holding_account(party_ids=[party.pk])
    d = form_read(lambda data: AccountOpenForm(data, organisations=organisations, prefix="open"), body,
                  prefix="open").cleaned_data
    return services.account_open(kind=AccountKind.HOLDING, name=d["name"], organisation=d["organisation"], user=user,
                                 authorization_document=d["authorization_document"],
                                 authorization_date=d["authorization_date"])


api_write(PARTY, "open_account")(_account_open)


def _party(user, iso2):
    party = Party.objects.filter(iso2=iso2.upper()).first()
    if party is None:
        raise Http404(_("There is no such Party."))
    return party


subject_routes(router, kind="party", path="/parties/{iso2}",
               params=[("iso2", str, PathParam(..., min_length=2, max_length=2, pattern=r"^[A-Za-z]{2}$"))],
               lookup=_party, describe=lambda p: {"kind": "party", "reference": p.iso2, "state": p.state},
               what="this Party (its holding accounts)")
