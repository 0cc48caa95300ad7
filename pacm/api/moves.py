"""Account moves through the API: transfer, use and voluntary cancellation (pacm issue 9).

`GET /registry/accounts/{number}/actions` is `available_actions(user, account)` as it is (the one
declaration, pacm.registry.machine); `POST .../actions/{name}` reads the inputs with the web page's
own form (pacm.registry.forms, through `form_read`), then calls the same service the page calls
(pacm.registry.services.transfers), which checks the holder, the units and their suspension again.
The answer is the ledger transaction (kind, the serial ranges moved) and the event it recorded.

An `Idempotency-Key` header claims the web's one-time submission key (pacm.common.submission,
`SubmissionKey`) in the service's transaction: a second POST with the same key by the same person
on the same URL answers the first transaction again, with no second move.
"""
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _
from ninja import Field, Schema
from ninja import Path as PathParam

from pacm.common.errors import ServiceError
from pacm.common.retry import conflict_retry
from pacm.common.submission import KEY_PATTERN, _claim
from pacm.engine.offers import available_actions
from pacm.events.models import Event
from pacm.registry import selectors, services
from pacm.registry.forms import CancelForm, TransferForm, UseForm
from pacm.registry.machine import ACCOUNT
from pacm.registry.models import LedgerTransaction
from pacm.registry.serials import serial_format
from pacm.registry.services.accounts import account_stream

from .actions import api_write, form_read, offers_out
from .api import ERRORS
from .auth import SIGNED_IN
from .events import event_out
from .problems import ApiProblem
from .registry import SuspensionOut, _account_or_404, router, suspensions_out
from .schemas import ActionIn, EventOut, OffersOut

RESULT_PREFIX = "api:transaction:"  # what SubmissionKey.result_url holds for an API move


def _transfer(account, user, d):
    return services.units_transfer(user=user, from_account=account, to_account=d["to_account"],
                                   quantity=d["quantity"], activity=d["activity"], vintage=d["vintage"])


def _use(account, user, d):
    return services.units_use(user=user, from_account=account, quantity=d["quantity"], purpose=d["purpose"],
                              beneficiary=d["beneficiary"], use=d["use"], party=d["party"],
                              activity=d["activity"], vintage=d["vintage"])


def _cancel(account, user, d):
    return services.units_cancel_voluntarily(user=user, from_account=account, quantity=d["quantity"],
                                             purpose=d["purpose"], beneficiary=d["beneficiary"],
                                             activity=d["activity"], vintage=d["vintage"])


# write -> (the web page's form prefix, its form, the service call): pacm.registry.views FORMS/FORM_WRITES.
MOVES = {
    "transfer_units": ("transfer", TransferForm, _transfer),
    "use_units": ("use", UseForm, _use),
    "cancel_units": ("cancel", CancelForm, _cancel),
}


def _adapter(name):
    prefix, form_class, call = MOVES[name]

    def run(account, user, body, item):
        form = form_read(lambda data: form_class(data, prefix=prefix), body, prefix=prefix)
        return call(account, user, form.cleaned_data)

    return run


for _name in MOVES:  # listed `in_api: true` by GET .../actions
    api_write(ACCOUNT, _name)(_adapter(_name))


class RangeOut(Schema):
    serial: str
    quantity: int


class MoveTransactionOut(Schema):
    id: int
    kind: str
    quantity: int
    from_account: str
    to_account: str
    first_transfer: bool
    purpose: str
    beneficiary: str
    ranges: list[RangeOut]


class MoveOut(Schema):
    transaction: MoveTransactionOut
    events: list[EventOut]
    replayed: bool = Field(False, description="A repeat of an Idempotency-Key: the first move's answer, nothing moved")


def _answer(row, *, after=0, replayed=False):
    """The transaction and its event (found on the account's stream after sequence `after`)."""
    entries = list(row.entries.order_by("pk"))
    events = (Event.objects.filter(stream=account_stream(row.from_account), sequence__gt=after,
                                   payload__transaction=row.pk)
              .select_related("organisation").order_by("sequence"))
    return {"transaction": {
        "id": row.pk, "kind": row.kind, "quantity": row.quantity, "from_account": row.from_account.number,
        "to_account": row.to_account.number, "first_transfer": row.first_transfer, "purpose": row.purpose,
        "beneficiary": row.beneficiary,
        "ranges": [{"serial": serial_format(e), "quantity": e.serial_end - e.serial_start + 1} for e in entries]},
        "events": [event_out(e) for e in events[:10]], "replayed": replayed}


def _idempotency_key(request):
    key = (request.headers.get("Idempotency-Key") or "").strip()
    if key and not KEY_PATTERN.fullmatch(key):
        raise ApiProblem(400, "idempotency_key_invalid",
                         _("An Idempotency-Key is 16 to 64 letters, digits, '-' or '_'."), field="Idempotency-Key")
    return key


def move_take(*, request, account, name, body):
    """Take move `name` on `account`: offered (as the page offers its form), then the web's service."""
    if name not in MOVES:
        raise ApiProblem(404, "write_unknown", _("There is no write %(name)s here.") % {"name": name}, field="name")
    user = request.auth.user
    available_actions(user, account).require(name, str(ACCOUNT.writes[name].label).lower())
    run, key = _adapter(name), _idempotency_key(request)
    before = Event.objects.filter(stream=account_stream(account)).aggregate(last=Max("sequence"))["last"] or 0

    @conflict_retry
    def attempt():
        with transaction.atomic():
            if key:
                first = _claim(key=key, user=user, path=request.path)
                if first is not None:
                    if not first.result_url.startswith(RESULT_PREFIX):
                        raise ServiceError(_("This Idempotency-Key was used for another request."),
                                           code="idempotency_key_reused")
                    return LedgerTransaction.objects.get(pk=int(first.result_url.removeprefix(RESULT_PREFIX))), True
            row = run(account, user, body, None)
            if key:
                from pacm.common.models import SubmissionKey

                SubmissionKey.objects.filter(key=key).update(result_url=f"{RESULT_PREFIX}{row.pk}",
                                                             message=f"{row.kind} {row.quantity}")
            return row, False

    row, replayed = attempt()
    row = LedgerTransaction.objects.select_related("from_account", "to_account").get(pk=row.pk)
    # A replay's event is older than `before`: looked up by its transaction on the stream.
    return _answer(row, after=0 if replayed else before, replayed=replayed)


class AccountOffersOut(OffersOut):
    suspensions: list[SuspensionOut]


@router.get("/accounts/{number}/actions", response={200: AccountOffersOut, **ERRORS}, url_name="account_actions",
            operation_id="account_actions", summary="What you may do with an account now, and what blocks it")
def account_actions(request, number: str = PathParam(..., max_length=40)):
    """The moves offered, and the suspensions that keep some of the units held from moving
    (A6.4-STAN-METH-002 v01.0 paras 25, 44: shown wherever the actions are offered, with the reason)."""
    account = _account_or_404(request.auth.user, number)
    return {**offers_out(request.auth.user, account),
            "suspensions": suspensions_out(selectors.suspensions_in_account(account))}


@router.post("/accounts/{number}/actions/{name}", response={200: MoveOut, **ERRORS}, auth=SIGNED_IN,
             url_name="account_act", operation_id="account_act",
             summary="Move units out of an account: transfer_units, use_units or cancel_units")
def account_act(request, body: ActionIn, number: str = PathParam(..., max_length=40),
                name: str = PathParam(..., max_length=60, pattern=r"^[a-z_]+$")):
    account = _account_or_404(request.auth.user, number)
    return move_take(request=request, account=account, name=name, body=body)

