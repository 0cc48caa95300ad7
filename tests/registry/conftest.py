"""Registry fixtures: activities, periods and issuance requests built with the ORM, accounts
opened through `account_open`, and `issue()` which runs `issuance_execute` as the lead's task
does (inside a transaction, the IssuanceRequest row locked)."""
import datetime
import itertools
from decimal import Decimal

import pytest
from django.db import transaction

from methodologies.arithmetic import distribution_allocate, issuance_split
from methodologies.models import RuleSet
from pacm.registry.models import Account, AccountKind, UnitBlock
from pacm.registry.services import account_open, issuance_execute
from projects.models import Activity, IssuanceRequest, MonitoringPeriod
from tests import factories as f

_references = itertools.count(1)


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """The personas' passwords are never checked here; hashing them is most of a test's setup."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def activity_make(world, *, host=None, participants=None, reference=None):
    host = host or world.host
    today = datetime.date.today()
    activity = Activity.objects.create(
        reference=reference or f"A64-T{next(_references):05d}",
        title="Registry test activity",
        host_party=host,
        methodology_version=world.version,
        sectoral_scope=world.version.methodology.sectoral_scopes.first(),
        location="Kpone",
        start_date=today - datetime.timedelta(days=400),
        crediting_type="renewable",
        crediting_start=today - datetime.timedelta(days=400),
        crediting_end=today + datetime.timedelta(days=1000),
        estimated_annual=40_000,
        description="Built directly for registry tests.",
    )
    activity.participants.set(participants or [world.orgs["dev"]])
    return activity


def request_make(activity, units):
    number = activity.monitoring_periods.count() + 1
    start = datetime.date(2022, 1, 1) + datetime.timedelta(days=365 * (number - 1))
    period = MonitoringPeriod.objects.create(activity=activity, number=number, start=start,
                                             end=start + datetime.timedelta(days=364))
    return IssuanceRequest.objects.create(period=period, units_requested=units, omge_rate=Decimal("0.02"))


def issue(activity, gross, *, to=None, lines=None, tranches=None, status="ndc", definition="", vintage=2024,
          omge_rate=None, sop_exempt=False, risk_rating=None, request=None):
    """Issue `gross` units of `activity` and forward the net per `lines` ([(account, percent)]).

    Returns (request, split, transactions).
    """
    request = request or request_make(activity, gross)
    rule_set = RuleSet.objects.in_force()
    split = issuance_split(gross=gross, rule_set=rule_set, omge_rate=omge_rate, sop_exempt=sop_exempt,
                           risk_rating=risk_rating)
    lines = lines or [(to, Decimal("100"))]
    amounts = distribution_allocate(net=split.net, lines=[(None, p) for _, p in lines])
    tranches = tranches or [(vintage, gross, status, definition)]
    with transaction.atomic():
        locked = IssuanceRequest.objects.select_for_update(no_key=True).get(pk=request.pk)
        rows = issuance_execute(issuance=locked, tranches=tranches, split=split,
                                distribution=[(a, n) for (a, _), n in zip(lines, amounts, strict=True)],
                                actor_label="timer:issuance")
    return request, split, rows


def held(account, **filters):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account, **filters))


def mech(kind):
    return Account.objects.get(kind=kind)


@pytest.fixture
def reg(world):
    """A world with one activity of Ghana (host), holding accounts and a Kenyan retirement account.

    - acct: Kpone Green Energy (Ghana, authorized), ama's
    - acct2: a second Kpone account
    - foreign: Savannah Carbon (Kenya, authorized), kofi's
    - unauth: an entity of Kenya its Party has not authorized (no members)
    - gh_party / ke_party: the Parties' own holding accounts (dina / nils as DNA)
    - ke_retire: Kenya's retirement account
    """
    world.af = f.user("afu", world.orgs["af"])
    world.unauth_org = f.organisation("Unvetted Trading", "participant", party=world.other, authorized_by_party=False)
    world.activity = activity_make(world)
    # Each entity account rests on its Party's letter of authorization (RMP 63; 7/CMA.4 annex I para 33).
    letter = {"authorization_document": "Letter of authorization", "authorization_date": datetime.date(2024, 1, 1)}
    world.acct = account_open(kind=AccountKind.HOLDING, name="Kpone main", organisation=world.orgs["dev"], **letter)
    world.acct2 = account_open(kind=AccountKind.HOLDING, name="Kpone sales", organisation=world.orgs["dev"], **letter)
    world.foreign = account_open(kind=AccountKind.HOLDING, name="Savannah", organisation=world.orgs["dev2"], **letter)
    # No account is opened for an entity no Party has authorized (pacm issue 6 §5 rule 4); this one
    # stands for an account whose entity lost its authorization after opening: written directly.
    world.unauth = Account.objects.create(number="PACM-H-UNVETTED", kind=AccountKind.HOLDING, name="Unvetted",
                                          organisation=world.unauth_org)
    world.gh_party = account_open(kind=AccountKind.HOLDING, name="Ghana Party holding", party=world.host)
    world.ke_party = account_open(kind=AccountKind.HOLDING, name="Kenya Party holding", party=world.other)
    world.ke_retire = account_open(kind=AccountKind.RETIREMENT, name="Kenya retirement", party=world.other)
    world.gh_retire = account_open(kind=AccountKind.RETIREMENT, name="Ghana retirement", party=world.host)
    return world
