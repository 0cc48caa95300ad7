"""Opening and finding accounts, and who may act on one (rules.md §5.1; 7/CMA.4 annex I paras 32-33, 44)."""
import uuid

from django.db import IntegrityError, transaction

from pacm.common import bounds
from pacm.common.errors import Refused, ServiceError
from pacm.events.models import EventKind
from pacm.events.services import event_record
from pacm.parties.models import Organisation, Party
from pacm.parties.roles import ORG_KIND_ROLE, Actor, Role, actor_for_role, user_organisations

from ..models import SINGLETON_KINDS, Account, AccountKind

NUMBER_PREFIX = {AccountKind.HOLDING: "PACM-H", AccountKind.RETIREMENT: "PACM-R"}
OPENABLE_KINDS = frozenset(NUMBER_PREFIX)


def account_stream(account):
    return f"account:{account.number}"


def account_get(kind):
    """The mechanism's one account of a singleton kind (pending, SOP, OMGE, cancellation, buffer)."""
    if kind not in SINGLETON_KINDS:
        raise ServiceError(f"The mechanism has no single {kind!r} account.")
    account = Account.objects.filter(kind=kind).first()
    if account is None:
        raise ServiceError(f"The mechanism's {AccountKind(kind).label} account is missing: run the migrations.")
    return account


def account_resolve(value):
    """An account given as a row or a number, with its organisation; a clear error if unknown."""
    qs = Account.objects.select_related("organisation")
    if isinstance(value, Account):
        account = qs.filter(pk=value.pk).first()
        label = value.number
    else:
        label = str(value or "").strip()
        account = qs.filter(number=label).first() if label else None
    if account is None:
        raise ServiceError(f"No account {label or '(none given)'} exists.")
    return account


def account_lock(value):
    """The account row, locked for the rest of the transaction (SELECT ... FOR UPDATE)."""
    pk = value.pk if isinstance(value, Account) else None
    qs = Account.objects.select_for_update()
    account = qs.filter(pk=pk).first() if pk else qs.filter(number=str(value or "").strip()).first()
    if account is None:
        raise ServiceError(f"No account {getattr(value, 'number', value)} exists.")
    return account


def _active(user):
    return user is not None and user.is_authenticated and user.is_active


def account_actor(*, user, account, what):
    """The actor through which `user` may move units out of `account`; refuse otherwise.

    Deny by default: an entity's holding account is operated by its members, a Party's by its
    DNA (7/CMA.4 annex I para 33); the Adaptation Fund operates the SOP account (RMP 66; annex I
    para 60). Nobody moves units out of the pending or buffer accounts by hand.
    """
    organisation = None
    if _active(user):
        mine = user_organisations(user)
        if account.kind == AccountKind.HOLDING and account.organisation_id is not None:
            organisation = mine.filter(pk=account.organisation_id).first()
        elif account.kind == AccountKind.HOLDING and account.party_id is not None:
            organisation = mine.filter(kind=Organisation.Kind.DNA, party_id=account.party_id).order_by("pk").first()
        elif account.kind == AccountKind.SOP_ADAPTATION:
            organisation = mine.filter(kind=Organisation.Kind.ADAPTATION_FUND).order_by("pk").first()
    if organisation is None:
        raise Refused(f"You may not {what} from account {account.number}.")
    return Actor(user=user, organisation=organisation, role=ORG_KIND_ROLE[organisation.kind])


def _opener(*, user, party_id):
    """The registry administrator (secretariat) or the DNA of the account's Party (para 33)."""
    if user is None:
        return Actor(user=None, organisation=None, role=Role.SECRETARIAT, label="registry administrator")
    actor = actor_for_role(user, Role.SECRETARIAT)
    if actor is None and _active(user) and party_id is not None:
        dna = user_organisations(user).filter(kind=Organisation.Kind.DNA, party_id=party_id).order_by("pk").first()
        if dna is not None:
            actor = Actor(user=user, organisation=dna, role=Role.DNA)
    if actor is None:
        raise Refused("Only the registry administrator or the Party's DNA may open this account.")
    return actor


def account_open(*, kind, name, organisation=None, party=None, user=None):
    """Open a holding account (an authorized entity's or a Party's) or a Party's retirement account.

    `user` None means the registry itself opens it (a system call); otherwise the user must be
    the secretariat or the DNA of the Party the account is tied to.
    """
    if kind not in OPENABLE_KINDS:
        raise ServiceError(
            "Only holding and retirement accounts are opened; the mechanism's own accounts exist already."
        )
    name = bounds.text_clean(name)
    if not name or len(name) > 200:
        raise ServiceError("Give the account a name of at most 200 characters.", field="name")
    if organisation is not None and not isinstance(organisation, Organisation):
        raise ServiceError("Unknown organisation.", field="organisation")
    if party is not None and not isinstance(party, Party):
        raise ServiceError("Unknown Party.", field="party")
    if kind == AccountKind.RETIREMENT:
        if party is None or organisation is not None:
            raise ServiceError("A retirement account belongs to a Party (7/CMA.4 annex I para 44).", field="party")
    elif (organisation is None) == (party is None):
        raise ServiceError("A holding account belongs to either one entity or one Party.", field="organisation")
    if organisation is not None:
        if organisation.kind not in (Organisation.Kind.PARTICIPANT, Organisation.Kind.ADAPTATION_FUND):
            raise ServiceError(f"{organisation.name} is not an entity that holds units.", field="organisation")
        if organisation.party_id is None:
            # 7/CMA.4 annex I para 33: the account is tied to the Party that authorized the entity.
            raise ServiceError(
                f"{organisation.name} has no Party to tie the account to (para 33).", field="organisation"
            )
    party_id = party.pk if party is not None else organisation.party_id
    actor = _opener(user=user, party_id=party_id)
    with transaction.atomic():
        if kind == AccountKind.RETIREMENT and Account.objects.filter(kind=kind, party=party).exists():
            raise ServiceError(f"{party.name} already has a retirement account.", field="party")
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    number=f"PACM-TMP-{uuid.uuid4().hex[:24]}", kind=kind, name=name, organisation=organisation,
                    party=party,
                )
        except IntegrityError:
            raise ServiceError("This account cannot be opened: one like it exists already.") from None
        account.number = f"{NUMBER_PREFIX[kind]}-{account.pk:06d}"
        account.save(update_fields=["number"])
        event_record(
            stream=account_stream(account), kind=EventKind.ACCOUNT_OPENED, actor=actor,
            payload={"number": account.number, "kind": kind, "name": name,
                     "organisation": organisation.name if organisation else None,
                     "party": party.iso2 if party else None},
        )
    return account
