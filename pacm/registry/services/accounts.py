"""Opening and finding accounts, and who may act on one (rules.md §5.1; 7/CMA.4 annex I paras 32-33, 44)."""
import datetime
import uuid

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common import bounds
from pacm.common.errors import Refused, ServiceError
from pacm.common.retry import conflict_retry
from pacm.events.models import EventKind
from pacm.events.services import event_record
from pacm.parties.models import Organisation, Party
from pacm.parties.roles import Actor, Role

from ..models import SINGLETON_KINDS, Account, AccountKind, AuthorizationBasis

NUMBER_PREFIX = {AccountKind.HOLDING: "PACM-H", AccountKind.RETIREMENT: "PACM-R"}
OPENABLE_KINDS = frozenset(NUMBER_PREFIX)


def account_stream(account):
    return f"account:{account.number}"


def account_get(kind):
    """The mechanism's one account of a singleton kind (pending, SOP, OMGE, cancellation, buffer)."""
    if kind not in SINGLETON_KINDS:
        params = {"kind": kind}
        raise ServiceError(
            _("The mechanism has no single %(kind)s account.") % {**params, "kind": repr(kind)},
            code="mechanism_account_ambiguous", params=params,
        )
    account = Account.objects.filter(kind=kind).first()
    if account is None:
        params = {"label": AccountKind(kind).label}
        raise ServiceError(
            _("The mechanism's %(label)s account is missing: run the migrations.") % params,
            code="mechanism_account_missing", params=params,
        )
    return account


# The mechanism's own accounts, per database (pacm issue 8): created once by the migrations, never
# deleted (PROTECT) or re-keyed, so a process reads them once. Cleared when any singleton account is
# saved or deleted and after every migrate or flush (post_migrate), see apps.RegistryConfig.ready.
_MECHANISM = {}


def _database_key():
    from django.db import connection

    return (connection.alias, connection.settings_dict.get("NAME"))


def mechanism_accounts():
    """{kind: account} of the mechanism's singleton accounts, read once per process and database."""
    key = _database_key()
    accounts = _MECHANISM.get(key)
    if accounts is None:
        accounts = {a.kind: a for a in Account.objects.filter(kind__in=sorted(SINGLETON_KINDS))}
        if len(accounts) == len(SINGLETON_KINDS):
            _MECHANISM[key] = accounts  # an incomplete set is never kept
    return accounts


def mechanism_accounts_forget(**kwargs):
    """Signal receiver: the next `mechanism_accounts()` reads them again."""
    instance = kwargs.get("instance")
    if instance is None or instance.kind in SINGLETON_KINDS:
        _MECHANISM.clear()


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
        params = {"label": label or '(none given)'}
        raise ServiceError(_("No account %(label)s exists.") % params, code="account_unknown", params=params)
    return account


def account_label(value):
    return value.number if isinstance(value, Account) else str(value or "").strip()


def accounts_lock(*values):
    """Lock these accounts (rows or numbers) for the rest of the transaction, in ONE statement in
    primary-key order, and return them in the order given (None for a number no account has).

    The lock order of every move (docs/architecture.md, "Lock order"): the cycle rows first
    (activity, period, issuance request), then the accounts, all at once by primary key, then the
    blocks in them. Two moves that touch the same accounts therefore queue on the lowest one and
    never hold one each. The lock is FOR NO KEY UPDATE: it excludes every other move of these
    accounts but not the key-share lock PostgreSQL takes on an account when a block row pointing
    at it is written, so writing a block never waits on a lock taken for another purpose.
    """
    numbers = {account_label(v) for v in values if not isinstance(v, Account)} - {""}
    by_number = dict(Account.objects.filter(number__in=numbers).values_list("number", "pk")) if numbers else {}
    pks = [v.pk if isinstance(v, Account) else by_number.get(account_label(v)) for v in values]
    wanted = sorted({pk for pk in pks if pk is not None})
    rows = {}
    if wanted:
        qs = Account.objects.select_related("organisation").select_for_update(no_key=True, of=("self",))
        rows = {account.pk: account for account in qs.filter(pk__in=wanted).order_by("pk")}
    return [rows.get(pk) if pk is not None else None for pk in pks]


def account_lock(value):
    """One account row, locked for the rest of the transaction (see `accounts_lock`)."""
    (account,) = accounts_lock(value)
    if account is None:
        params = {"value": account_label(value)}
        raise ServiceError(_("No account %(value)s exists.") % params, code="account_unknown", params=params)
    return account


def _active(user):
    return user is not None and user.is_authenticated and user.is_active


def account_actor(*, user, account, what, write="transfer_units"):
    """The actor through which `user` may move units out of `account`; refuse otherwise.

    Deny by default, from the account's declaration (pacm.registry.machine, through the engine's
    `write_check`): an entity's holding account is operated by its members, a Party's by its DNA
    (7/CMA.4 annex I para 33); the Adaptation Fund operates the SOP account (RMP 66; annex I
    para 60). Nobody moves units out of the pending or buffer accounts by hand.
    """
    from pacm.engine.run import write_check

    from ..machine import ACCOUNT

    try:
        return write_check(machine=ACCOUNT, obj=account, name=write, user=user, what=what)
    except Refused as error:
        if error.code not in ("not_permitted", "wrong_state"):
            raise
        params = {"what": what, "account": account.number}
        raise Refused(
            _("You may not %(what)s from account %(account)s.") % params,
            code="account_not_permitted", params=params,
        ) from None


def _opener(*, user, party_id):
    """The registry administrator (secretariat) or the DNA of the account's Party (para 33), from
    the Party's declared write `open_account` (pacm.registry.machine, the engine's `write_check`)."""
    if user is None:
        return Actor(user=None, organisation=None, role=Role.SECRETARIAT, label="registry administrator")
    from pacm.engine.run import write_check

    from ..machine import PARTY

    party = Party.objects.filter(pk=party_id).first()
    try:
        if party is None:
            raise Refused("", code="not_permitted")
        return write_check(machine=PARTY, obj=party, name="open_account", user=user)
    except Refused as error:
        if error.code not in ("not_permitted", "wrong_state"):
            raise
        raise Refused(
            _("Only the registry administrator or the Party's DNA may open this account."),
            code="account_open_not_permitted",
        ) from None


def _authorization(*, organisation, party, authorized_by, document, date):
    """What the account rests on: (Party, basis, document, date, host approval); refuse if nothing.

    RMP 63 and 7/CMA.4 annex I para 33: holding accounts are for Parties and for the entities a Party
    has authorized; PROC-REGS-001 v02.1 paras 27-32: an activity participant's account follows its
    authorizing Party's authorization (the host approval's authorization of participants, RMP 41),
    any other entity's rests on the Party's authorization given through its DNA; one Party per account.
    """
    document = (document or "").strip()
    if len(document) > 200:
        raise ServiceError(_("Name the authorization in at most 200 characters."), field="authorization_document", code="name_authorization_most_characters")
    if date is not None and not isinstance(date, datetime.date):
        raise ServiceError(_("Give the date of the authorization."), field="authorization_date", code="give_date_authorization")
    if date is not None and date > timezone.localdate():
        raise ServiceError(_("The authorization cannot be dated in the future."), field="authorization_date", code="authorization_cannot_dated_future")
    if party is not None:  # a Party's own account (RMP 63)
        return party, AuthorizationBasis.PARTY, document, date or timezone.localdate(), None
    if authorized_by is not None and not isinstance(authorized_by, Party):
        raise ServiceError(_("Unknown authorizing Party."), field="authorized_by", code="unknown_authorizing_party")
    authorizing = authorized_by or organisation.party
    if organisation.kind == Organisation.Kind.ADAPTATION_FUND:
        # RMP 66; 7/CMA.4 annex I para 60: the Adaptation Fund holds units under the CMA's decisions.
        return authorizing, AuthorizationBasis.PARTY_AUTHORIZATION, document or "7/CMA.4 annex I para 60", \
            date or timezone.localdate(), None
    # The latest host approval of that Party authorizing this entity as a participant (RMP 41),
    # found by the cycle's answer (pacm.registry.authorizations: pacm never imports projects).
    from ..authorizations import host_approval_of

    approval = host_approval_of(party=authorizing, organisation=organisation)
    if approval is not None and not document:
        return authorizing, AuthorizationBasis.HOST_APPROVAL, (
            f"Host approval v{approval.version} of {approval.activity.reference} (RMP 41)"
        ), timezone.localdate(approval.issued_at), approval
    if authorizing.pk != organisation.party_id or not organisation.authorized_by_party:
        raise ServiceError(
            _("%(organisation)s has not been authorized by %(party)s: a holding account is opened only for a Party "
              "or an entity a Party has authorized (RMP 63; 7/CMA.4 annex I para 33).") % {
                "organisation": organisation.name, "party": authorizing.name},
            field="organisation",
        code="has_been_authorized",
    )
    if not document or date is None:
        raise ServiceError(
            _("Give the reference and the date of %(party)s's authorization of %(organisation)s (its letter of "
              "authorization or entity account authorization, PROC-REGS-001 paras 27-31).") % {
                "party": authorizing.name, "organisation": organisation.name},
            field="authorization_document" if not document else "authorization_date",
        code="give_reference_date",
    )
    return authorizing, AuthorizationBasis.PARTY_AUTHORIZATION, document, date, None


@conflict_retry
def account_open(*, kind, name, organisation=None, party=None, user=None, authorized_by=None,
                 authorization_document="", authorization_date=None):
    """Open a holding account (an authorized entity's or a Party's) or a Party's retirement account.

    `user` None means the registry itself opens it (a system call); otherwise the user must be
    the secretariat or the DNA of the Party the account is tied to. An entity's account rests on a
    Party's authorization, recorded on the account (pacm issue 6 §5 rule 4): the host approval that
    authorized it as a participant, found here, or the Party's authorization named by
    `authorization_document` and `authorization_date`. `authorized_by` picks the authorizing Party
    (PROC-REGS-001 para 32); by default the entity's own.
    """
    if kind not in OPENABLE_KINDS:
        raise ServiceError(
            _("Only holding and retirement accounts are opened; the mechanism's own accounts exist already."),
            code="account_kind_not_openable",
        )
    name = bounds.text_clean(name)
    if not name or len(name) > 200:
        raise ServiceError(
            _("Give the account a name of at most 200 characters."),
            field="name", code="account_name_invalid",
        )
    if organisation is not None and not isinstance(organisation, Organisation):
        raise ServiceError(_("Unknown organisation."), field="organisation", code="organisation_unknown")
    if party is not None and not isinstance(party, Party):
        raise ServiceError(_("Unknown Party."), field="party", code="party_unknown")
    if kind == AccountKind.RETIREMENT:
        if party is None or organisation is not None:
            raise ServiceError(
                _("A retirement account belongs to a Party (7/CMA.4 annex I para 44)."),
                field="party", code="retirement_account_needs_party",
            )
    elif (organisation is None) == (party is None):
        raise ServiceError(
            _("A holding account belongs to either one entity or one Party."),
            field="organisation", code="holding_account_owner_invalid",
        )
    if organisation is not None:
        if organisation.kind not in (Organisation.Kind.PARTICIPANT, Organisation.Kind.ADAPTATION_FUND):
            params = {"organisation": organisation.name}
            raise ServiceError(
                _("%(organisation)s is not an entity that holds units.") % params,
                field="organisation", code="organisation_not_holder", params=params,
            )
        if organisation.party_id is None and authorized_by is None:
            # 7/CMA.4 annex I para 33: the account is tied to the Party that authorized the entity.
            params = {"organisation": organisation.name}
            raise ServiceError(
                _("%(organisation)s has no Party to tie the account to (para 33).") % params,
                field="organisation", code="organisation_without_party", params=params,
            )
    authorizing, basis, document, date, approval = _authorization(
        organisation=organisation, party=party, authorized_by=authorized_by, document=authorization_document,
        date=authorization_date,
    )
    actor = _opener(user=user, party_id=authorizing.pk)
    with transaction.atomic():
        if kind == AccountKind.RETIREMENT and Account.objects.filter(kind=kind, party=party).exists():
            params = {"party": party.name}
            raise ServiceError(
                _("%(party)s already has a retirement account.") % params,
                field="party", code="retirement_account_exists", params=params,
            )
        try:
            with transaction.atomic():
                account = Account.objects.create(
                    number=f"PACM-TMP-{uuid.uuid4().hex[:24]}", kind=kind, name=name, organisation=organisation,
                    party=party, authorized_by=authorizing, authorization_basis=basis,
                    authorization_document=document, authorization_date=date, host_approval=approval,
                )
        except IntegrityError:
            raise ServiceError(_("This account cannot be opened: one like it exists already."), code="account_exists") from None
        account.number = f"{NUMBER_PREFIX[kind]}-{account.pk:06d}"
        account.save(update_fields=["number"])
        event_record(
            stream=account_stream(account), kind=EventKind.ACCOUNT_OPENED, actor=actor,
            payload={"number": account.number, "kind": kind, "name": name,
                     "organisation": organisation.name if organisation else None,
                     "party": party.iso2 if party else None,
                     "authorized_by": authorizing.iso2, "authorization_basis": basis,
                     "authorization_document": document, "authorization_date": date},
        )
    return account
