"""The authorization matrix, generated from the URL configuration (tests/hardening/test_authz_matrix.py).

- `site_routes()` walks `django.urls.get_resolver()` recursively: every route but the admin's.
  `admin_models()` lists the models the admin registers (their changelists are a matrix apart).
- `ROUTES` declares, for every route name, how to fill its URL kwargs with objects of the scene
  (`Target`s) and who may legitimately use it on each one. A route missing from `ROUTES` fails the
  matrix with a message asking for a filler, so a new route is covered the day it is added.
- `scene_build()` makes the objects: two participants' worlds that mirror each other (ama's in
  Ghana with dora, kofi's in Kenya with otto), each with a draft, an unpublished activity and a
  registered one (two monitoring periods, a fee, an observed event, documents), holding accounts,
  Party accounts, the mechanism's accounts; and a few mismatched kwargs (a fee of one activity
  under another's URL).
- Who may see what is declared here, from the rules (the oracle), never read from the code under
  test: the public sees an activity once it is published for consultation (rules.md §2.3
  S2->S3); participants, the engaged DOE and (after the draft) the host's DNA see their own; the
  secretariat and the SB everything but drafts; an account only its holders (7/CMA.4 annex I
  paras 33-34: the entity, the Party's DNA for a Party account, the Adaptation Fund its SOP
  account).
"""
import datetime
import os
import re
from dataclasses import dataclass, field, replace

from django.contrib import admin
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from pacm.events.models import Event
from pacm.parties.models import Membership, Organisation
from pacm.parties.roles import Role
from pacm.registry.models import (
    Account,
    AccountKind,
    LedgerEntry,
    LedgerTransaction,
    SerialCounter,
    Suspension,
    UnitBlock,
)
from projects import services
from projects.certificates.models import IssuedDocument
from projects.consultation.models import Comment, CommentReply
from projects.cycle import ACTIVITY_BY_NAME, PERIOD_BY_NAME
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import (
    Activity,
    AuthorizationStatement,
    DistributionLine,
    Document,
    DocumentVersion,
    Fee,
    Finding,
    HostApproval,
    IssuanceRequest,
    MonitoringPeriod,
    VintageClaim,
)
from projects.poa.cycle import CP_TRANSITIONS, POA_TRANSITIONS
from projects.poa.models import ComponentProject, EligibilityCriterion, PoAHost, Programme
from projects.reversals.cycle import EVENT_ACTIONS, EVENT_BY_NAME
from projects.reversals.due_cycle import DUE_BY_NAME
from projects.reversals.models import ObservedEvent, ReportDue
from projects.transition.machine import TRANSITION_MACHINE
from projects.transition.models import TransitionRequest
from tests import factories as f

AP, DOE, DNA, SEC, SB, AF = Role.PARTICIPANT, Role.DOE, Role.DNA, Role.SECRETARIAT, Role.SB, Role.ADAPTATION_FUND

# Anonymous, the eight personas of tests/conftest.py, and an Adaptation Fund officer.
PERSONAS = ("anon", "ama", "kofi", "dora", "otto", "dina", "nils", "sam", "sofia", "afia")
EVERYONE = frozenset(PERSONAS)
NOBODY = frozenset()
# Mechanism-wide roles: they act on every activity they see, no tie needed.
MECHANISM = {"sam": SEC, "sofia": SB, "afia": AF}

REFUSED = (403, 404, 405)  # 405: a route that takes no GET (or no POST) says nothing either
LOGIN_URL = "/accounts/login/"


# --- The URL configuration ----------------------------------------------------------------------

@dataclass(frozen=True)
class Route:
    name: str  # the URL name ("" for an unnamed route: then its pattern is its key)
    pattern: str
    kwargs: tuple

    @property
    def key(self):
        return self.name or self.pattern


_KWARG = re.compile(r"<(?:[^>:]+:)?([^>]+)>|\(\?P<([^>]+)>")


def _walk(patterns, prefix, namespace, admin_too):
    for entry in patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == "admin" and not admin_too:
                continue
            ns = ":".join(x for x in (namespace, entry.namespace) if x)
            yield from _walk(entry.url_patterns, prefix + str(entry.pattern), ns, admin_too)
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            name = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or "")
            kwargs = tuple(a or b for a, b in _KWARG.findall(pattern))
            yield Route(name=name, pattern=pattern, kwargs=kwargs)


def site_routes():
    """Every route of the URL conf, recursively, but the admin's (its own matrix)."""
    return list(_walk(get_resolver().url_patterns, "", "", admin_too=False))


def admin_models():
    """The models the admin registers, in a fixed order."""
    return sorted(admin.site._registry, key=lambda m: (m._meta.app_label, m._meta.model_name))


# --- What a request may change ------------------------------------------------------------------

COUNTED = (Event, LedgerTransaction, LedgerEntry, UnitBlock, SerialCounter, Account, Activity, MonitoringPeriod,
           VintageClaim, Document, DocumentVersion, Finding, Fee, HostApproval, AuthorizationStatement,
           IssuanceRequest, DistributionLine, ObservedEvent, ReportDue, Suspension, Organisation, Membership,
           Comment, CommentReply, TransitionRequest, ComponentProject, PoAHost, EligibilityCriterion)
# pacm issue 9: no request generates a document (they are generated on the commit of what they attest).
COUNTED = (*COUNTED, IssuedDocument)


# The rows whose columns a POST may not change either (an update writes no new row).
WATCHED = (
    ("activities", Activity, ("id", "state", "title", "updated_at", "validation_doe", "verification_doe")),
    ("periods", MonitoringPeriod, ("id", "state", "due_at")),
    ("fees", Fee, ("id", "status", "payment_reference")),
    ("findings", Finding, ("id", "status")),
    ("observed events", ObservedEvent, ("id", "state", "due_at", "occurred_to", "cancelled_authorized",
                                        "replenished_authorized")),
    ("suspensions", Suspension, ("id", "lifted_at")),
    ("unit blocks", UnitBlock, ("id", "account", "serial_start", "serial_end")),
    ("accounts", Account, ("id", "name", "organisation", "party")),
    ("comments", Comment, ("id", "status", "number", "handling")),
    ("transition requests", TransitionRequest, ("id", "state", "due_at", "fee_status", "host_sd_confirmation")),
    ("component projects", ComponentProject, ("id", "state", "crediting_start", "inclusion_fee")),
    ("PoA hosts", PoAHost, ("id", "max_annual")),
)


def _snapshot_sql():
    from django.db import connection

    quote = connection.ops.quote_name
    counts = "SELECT " + ", ".join(f"(SELECT COUNT(*) FROM {quote(m._meta.db_table)})" for m in COUNTED)
    rows = [
        f"SELECT {', '.join(quote(model._meta.get_field(name).column) for name in fields)} "
        f"FROM {quote(model._meta.db_table)} ORDER BY {quote(model._meta.pk.column)}"
        for _, model, fields in WATCHED
    ]
    return counts, rows


def snapshot(media_root):
    """Row counts of the event log, the ledger and every cycle table, the watched columns, the files.

    Plain SQL, a few queries: the matrix takes one after every request."""
    from django.db import connection

    counts_sql, rows_sql = _snapshot_sql()
    with connection.cursor() as cursor:
        cursor.execute(counts_sql)
        counts = tuple(cursor.fetchone())
        rows = []
        for sql in rows_sql:
            cursor.execute(sql)
            rows.append(tuple(tuple(row) for row in cursor.fetchall()))
    files = sum(len(names) for _, _, names in os.walk(media_root)) if os.path.isdir(media_root) else 0
    return counts, tuple(rows), files


def snapshot_diff(before, after):
    """What changed between two snapshots, in words (empty when nothing did)."""
    changes = []
    for model, a, b in zip(COUNTED, before[0], after[0], strict=True):
        if a != b:
            changes.append(f"{model.__name__} rows {a} -> {b}")
    for (label, _, _), a, b in zip(WATCHED, before[1], after[1], strict=True):
        if a != b:
            changes.append(f"{label} changed")
    if before[2] != after[2]:
        changes.append(f"stored files {before[2]} -> {after[2]}")
    return changes


# --- The scene ----------------------------------------------------------------------------------

@dataclass
class Obj:
    """An object of the scene: who may see it, and who is tied to it in which role."""

    label: str
    seen: frozenset
    ties: dict = field(default_factory=dict)  # persona -> Role
    markers: tuple = ()  # strings that only those who see it may find on a page

    def may(self, persona, roles):
        """Whether `persona` may act on it in one of `roles` (deny by default)."""
        if persona not in self.seen:
            return False
        role = self.ties.get(persona) or MECHANISM.get(persona)
        return role in roles


@dataclass(frozen=True)
class Target:
    label: str
    kwargs: dict
    obj: Obj
    roles: frozenset = frozenset()  # the roles this route serves on this object (empty: a read route)
    read: bool = False

    def allowed(self, persona):
        """Whether this request is the persona's own business (then the matrix does not send it)."""
        if self.read:
            return persona in self.obj.seen
        return self.obj.may(persona, self.roles)


NOWHERE = Obj("a mismatched or missing object", NOBODY)


@dataclass
class Side:
    """One participant's world: its people, accounts and activities."""

    participant: str
    doe: str
    dna: str
    org: Organisation
    doe_org: Organisation
    host: object
    draft: Activity = None
    unpublished: Activity = None
    registered: Activity = None
    periods: list = field(default_factory=list)
    event: ObservedEvent = None
    account: Account = None


class Scene:
    """Everything the fillers need, built once per test by `scene_build`."""

    def __init__(self, world):
        self.world = world
        self.users = {name: getattr(world, name, None) for name in PERSONAS if name != "anon"}
        self.users["anon"] = None
        self.objs = {}  # model instance (or key) -> Obj
        self.activities = []
        self.accounts = []
        self.sides = []

    def user(self, persona):
        return self.users[persona]

    def obj(self, instance):
        return self.objs[(type(instance).__name__, instance.pk)]

    def markers_hidden_from(self, persona):
        """Every marker of an object this persona may not see."""
        found = set()
        for obj in self.objs.values():
            if persona not in obj.seen:
                found.update(obj.markers)
        return sorted(found)


def _seen_activity(side, state):
    """Who sees an activity of `side` in `state` (rules.md §2.3; see the module docstring)."""
    if state == A.DRAFT:
        return frozenset({side.participant})
    if state in (A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, A.WITHDRAWN):
        return frozenset({side.participant, side.doe, side.dna, "sam", "sofia"})
    return EVERYONE


def _register(scene, activity, side, label):
    activity = Activity.objects.get(pk=activity.pk)
    ties = {side.participant: AP}
    if activity.state != A.DRAFT:
        ties[side.dna] = DNA
        if activity.validation_doe_id or activity.verification_doe_id:
            ties[side.doe] = DOE
    seen = _seen_activity(side, activity.state)
    hidden = seen != EVERYONE
    obj = Obj(label, seen, ties, markers=(activity.reference, activity.title) if hidden else ())
    scene.objs[("Activity", activity.pk)] = obj
    scene.activities.append(activity)
    for version in DocumentVersion.objects.filter(document__activity=activity):
        scene.objs[("DocumentVersion", version.pk)] = Obj(
            f"{label}: {version.original_name}", seen, ties, markers=(version.original_name,) if hidden else ()
        )
    return activity


def _jump(obj):
    """Move the clock past `obj`'s due date and run one timer pass there."""
    import time_machine

    from projects.timers import timers_run

    obj.refresh_from_db()
    with time_machine.travel(obj.due_at + datetime.timedelta(seconds=1), tick=False):
        timers_run()


def _activity_drive(world, side, activity, until, tag):
    """Drive `activity` to `until` with the side's own people (tests/conftest.py advance, generalised)."""
    ap, doe, dna, sam = getattr(world, side.participant), getattr(world, side.doe), getattr(world, side.dna), world.sam
    steps = [
        (A.DRAFT, lambda a: services.activity_notify_prior_consideration(activity=a, user=ap)),
        (A.PRIOR_CONSIDERATION, lambda a: (
            services.activity_engage_doe(activity=a, user=ap, doe=side.doe_org),
            services.activity_accept_engagement(activity=a, user=doe),
        )),
        (A.VALIDATION_CONTRACTED, lambda a: (
            services.document_upload(activity=a, user=ap, kind="pdd", uploaded=f.pdf(f"matrix-{tag}-pdd.pdf")),
            services.activity_publish_for_consultation(activity=a, user=doe),
        )),
        (A.CONSULTATION, _jump),
        (A.UNDER_VALIDATION, lambda a: (
            services.document_upload(activity=a, user=doe, kind="validation_report",
                                     uploaded=f.pdf(f"matrix-{tag}-vr.pdf")),
            services.activity_validate(activity=a, user=doe),
        )),
        (A.VALIDATED, lambda a: (
            services.host_approval_issue(activity=a, user=dna, sd_confirmation="Fosters SD.",
                                         ndc_relation="Within NDC scope.", authorized_participants=[side.org]),
            services.authorization_statement_issue(activity=a, user=dna, uses="ndc",
                                                   effective_from=datetime.date(2021, 1, 1)),
            services.activity_request_registration(activity=a, user=doe),
        )),
        (A.REGISTRATION_REQUESTED, lambda a: (
            services.fee_record_payment(fee=a.fees.get(kind="registration"), user=sam, reference=f"WIRE-{tag}"),
            services.activity_start_completeness_check(activity=a, user=sam),
        )),
        (A.COMPLETENESS_CHECK, lambda a: services.activity_pass_completeness_check(activity=a, user=sam)),
        (A.INFORMATION_CHECK, lambda a: services.activity_pass_information_check(activity=a, user=sam)),
        (A.REVIEW_WINDOW, _jump),
        (A.REGISTRATION_APPROVED, _jump),  # PROC-AC-002 v03.0 para 89: the appeal window
    ]
    for state, step in steps:
        activity = Activity.objects.get(pk=activity.pk)
        if activity.state == until:
            return activity
        assert activity.state == state, f"expected {state}, found {activity.state}"
        step(activity)
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.state == until, f"could not reach {until}; stopped at {activity.state}"
    return activity


def _period_drive(world, side, period, until, capture, tag):
    doe, sam = getattr(world, side.doe), world.sam
    steps = [
        (P.SUBMITTED, lambda p: services.period_start_verification(period=p, user=doe)),
        (P.UNDER_VERIFICATION, lambda p: (
            services.document_upload(activity=p.activity, user=doe, kind="verification_report",
                                     uploaded=f.pdf(f"matrix-{tag}-ver.pdf"), period=p),
            services.period_certify(period=p, user=doe, verified={c.vintage: c.claimed for c in p.claims.all()}),
        )),
        (P.VERIFIED, lambda p: services.period_request_issuance(
            period=p, user=doe, units_requested=p.verified_total, lines=[{"account": side.account, "percent": "100"}],
        )),
        (P.ISSUANCE_REQUESTED, lambda p: (
            f.issuance_confirm(p, getattr(world, side.participant)),
            services.fee_record_payment(fee=p.fees.get(kind="issuance"), user=sam, reference=f"WIRE-ISS-{tag}"),
            services.period_start_issuance_checks(period=p, user=sam),
        )),
        (P.ISSUANCE_CHECKS, lambda p: services.period_pass_issuance_checks(period=p, user=sam)),
        (P.ISSUANCE_REVIEW_WINDOW, _jump),
        (P.APPROVED, lambda p: _issue(p, capture)),
    ]
    for state, step in steps:
        period = MonitoringPeriod.objects.get(pk=period.pk)
        if period.state == until:
            return period
        assert period.state == state, f"expected {state}, found {period.state}"
        step(period)
    period = MonitoringPeriod.objects.get(pk=period.pk)
    assert period.state == until, f"stopped at {period.state}"
    return period


def _issue(period, capture):
    with capture(execute=True):
        _jump(period)


def _period_submit(world, side, activity, number, tag):
    start = activity.crediting_start + datetime.timedelta(days=365 * (number - 1))
    end = start + datetime.timedelta(days=364)
    return services.period_submit(
        activity=activity, user=getattr(world, side.participant), start=start, end=end,
        claims={start.year: 30_000 if number == 1 else 1_000}, report=f.pdf(f"matrix-{tag}-mr{number}.pdf"),
    )


def _holding(org, number, name):
    return Account.objects.create(number=number, kind=AccountKind.HOLDING, name=name, organisation=org)


def scene_build(world, capture, clock):
    """The matrix's scene (see the module docstring); `capture` is django_capture_on_commit_callbacks,
    `clock` the time_machine fixture (a monitoring report covers a period already over, RMP 50-51)."""
    K = Organisation.Kind
    world.afia = f.user("afia", world.orgs["af"])
    # Two participants without an account: a DNA may open one for its own Party's entity only.
    world.orgs["volta"] = f.organisation("Volta Solar", K.PARTICIPANT, party=world.host, authorized_by_party=True)
    world.orgs["lagoon"] = f.organisation("Lagoon Carbon", K.PARTICIPANT, party=world.other, authorized_by_party=True)
    scene = Scene(world)
    ama_side = Side("ama", "dora", "dina", world.orgs["dev"], world.orgs["doe"], world.host)
    kofi_side = Side("kofi", "otto", "nils", world.orgs["dev2"], world.orgs["doe2"], world.other)
    scene.sides = [ama_side, kofi_side]

    # Accounts: each entity's holding account, each Party's, and the mechanism's own (migration 0002).
    ama_side.account = _holding(world.orgs["dev"], "PACM-H-DEV-1", "Matrix holding of Kpone")
    kofi_side.account = _holding(world.orgs["dev2"], "PACM-H-SAV-1", "Matrix holding of Savannah")
    party_accounts = [
        Account.objects.create(number=f"PACM-P-{p.iso2}-1", kind=AccountKind.HOLDING, name=f"{p.name} Party holding",
                               party=p)
        for p in (world.host, world.other)
    ]
    for side in scene.sides:
        account = side.account
        scene.objs[("Account", account.pk)] = Obj(
            f"{side.participant}'s holding account", frozenset({side.participant}), {side.participant: AP})
        # Its number and name: its holder, and those with a role on the activity whose issuance the
        # account receives (the DOE names it in the request, the host DNA, the secretariat, the SB).
        scene.objs[("AccountIdentity", account.pk)] = Obj(
            f"{side.participant}'s holding account number", frozenset({side.participant, side.doe, side.dna, "sam",
                                                                      "sofia"}),
            markers=(account.number, account.name),
        )
    for account, dna in zip(party_accounts, ("dina", "nils"), strict=True):
        scene.objs[("Account", account.pk)] = Obj(f"{account.party.name}'s Party account", frozenset({dna}),
                                                  {dna: DNA})
        # Its number: the Party's DNA, and the secretariat, which administers the registry.
        scene.objs[("AccountIdentity", account.pk)] = Obj(f"{account.party.name}'s Party account number",
                                                          frozenset({dna, "sam"}), markers=(account.number,))
    for account in Account.objects.filter(organisation__isnull=True, party__isnull=True):
        holders = frozenset({"afia"}) if account.kind == AccountKind.SOP_ADAPTATION else NOBODY
        scene.objs[("Account", account.pk)] = Obj(f"the mechanism's {account.kind} account", holders,
                                                  {p: AF for p in holders})
    scene.accounts = list(Account.objects.order_by("number"))

    for side in scene.sides:
        tag, user = side.participant, getattr(world, side.participant)
        side.draft = services.activity_create(
            user=user, **f.pdd_data(side.host, world.version, title=f"Matrix draft of {tag} (secret)"))
        side.unpublished = services.activity_create(
            user=user, **f.pdd_data(side.host, world.version, title=f"Matrix unpublished activity of {tag}"))
        side.unpublished = _activity_drive(world, side, side.unpublished, A.VALIDATION_CONTRACTED, f"{tag}-u")
        services.document_upload(activity=side.unpublished, user=user, kind="pdd",
                                 uploaded=f.pdf(f"matrix-{tag}-unpublished-pdd.pdf"))
        side.registered = services.activity_create(
            user=user, **f.pdd_data(side.host, world.version, title=f"Matrix registered activity of {tag}"))
        side.registered = _activity_drive(world, side, side.registered, A.REGISTERED, f"{tag}-r")
        services.activity_engage_doe(activity=side.registered, user=user, doe=side.doe_org, stage="verification")

    scene.poa_rows = _poas_drive(world)

    # The day after the second yearly period ends: both reports may be submitted.
    last_end = max(s.registered.crediting_start for s in scene.sides) + datetime.timedelta(days=2 * 365)
    clock.move_to(datetime.datetime.combine(last_end, datetime.time(9, 0), tzinfo=datetime.UTC), tick=True)

    # policy.md §2: a removals methodology, rated low risk: issuance feeds the buffer, reversals apply.
    methodology = world.version.methodology
    methodology.kind = "removals"
    methodology.save()
    Activity.objects.filter(pk__in=[s.registered.pk for s in scene.sides]).update(risk_rating_percent=10)

    for side in scene.sides:
        tag, user = side.participant, getattr(world, side.participant)
        registered = Activity.objects.get(pk=side.registered.pk)
        first = _period_drive(world, side, _period_submit(world, side, registered, 1, tag), P.ISSUED, capture, tag)
        # A6.4-STAN-METH-002 v01.0 para 43: an observed event notified, not yet suspended (units move).
        from projects.reversals.services import observed_event_notify

        today = timezone.localdate()
        side.event = observed_event_notify(
            activity=registered, user=user, description=f"Matrix fire at {tag}'s site", location="Matrix",
            occurred_from=today - datetime.timedelta(days=3), aware_on=today - datetime.timedelta(days=2))
        second = _period_drive(world, side, _period_submit(world, side, registered, 2, tag), P.UNDER_VERIFICATION,
                               capture, tag)
        services.finding_raise(activity=registered, user=getattr(world, side.doe), kind="cl", text="Which meter?",
                               period=second)
        side.periods = [first, second]
        # pacm issue 10: a revision of the risk assessment, opened by the SB (para 49): the participants' to submit.
        from projects.risk.services import activity_risk_revision_require, revision_schedule

        revision_schedule(activity=registered, number=1)
        activity_risk_revision_require(activity=registered, user=world.sofia, comment="Matrix reversal")

    # An electronic decision of the Board open on ama's registered activity: SB members vote on it.
    from projects.board.services import board_decision_open_electronic
    from projects.board.subjects import subject_kind_of

    subject = Activity.objects.get(pk=ama_side.registered.pk)
    proposal = subject_kind_of(subject).proposals(subject)[0]
    scene.decision = board_decision_open_electronic(subject=subject, transition=proposal.name, user=world.sam,
                                                    comment="Matrix proposal")
    # A notification each for ama and kofi: only its recipient sees or opens it.
    from pacm.notifications.models import Notification
    from pacm.notifications.services import notifications_write

    scene.notifications = {}
    for name in ("ama", "kofi"):
        notifications_write(users=[getattr(world, name)], machine="activity", subject_pk=subject.pk, write="matrix",
                            key=f"matrix-{name}", subject_line=f"Matrix note for {name} only", body="Matrix",
                            url="/dashboard/")
        row = Notification.objects.get(recipient=getattr(world, name), key=f"matrix-{name}")
        scene.notifications[name] = row
        scene.objs[("Notification", row.pk)] = Obj(f"{name}'s notification", frozenset({name}), {name: AP},
                                                   markers=(row.subject_line,))

    # A stress test of the buffer pool (A6.4-STAN-METH-002 paras 60-61): the secretariat's and the SB's.
    from projects.removals.stress import stress_test_run

    scene.stress_test = stress_test_run(user=world.sam, parameters={"largest": 2})
    scene.objs[("StressTest", scene.stress_test.pk)] = Obj("the buffer stress test", frozenset({"sam", "sofia"}),
                                                           {"sam": SEC, "sofia": SB})

    # Two comments of the global stakeholder consultation on ama's registered activity, as if made
    # while it was in consultation: one published (answered by its participants during validation,
    # so no more now), one whose e-mail address was never confirmed (its link opens for anyone).

    from projects.consultation.services import confirmation_token

    def comment(**kw):
        return Comment.objects.create(subject_kind="activity", subject_id=subject.pk, author_name="Matrix Stakeholder",
                                      email="stakeholder@example.org", text="Matrix comment", ip_digest="x" * 64,
                                      email_digest="y" * 64, submitted_at=timezone.now(), **kw)

    scene.comment = comment(status="published", number=1, handling="answer_due", published_at=timezone.now())
    scene.comment_token = confirmation_token(comment())

    _transition_requests_build(scene, world)
    _poas_build(world, scene)
    _poa_batch_build(world, scene)
    _renewals_build(scene, world)
    for side in scene.sides:
        tag = side.participant
        _register(scene, side.draft, side, f"{tag}'s draft")
        _register(scene, side.unpublished, side, f"{tag}'s unpublished activity")
        _register(scene, side.registered, side, f"{tag}'s registered activity")
    # ama's API token, made here, before any snapshot: making it records an event (api.token_created).
    from pacm.api.tokens import api_token_create

    scene.api_token, _secret = api_token_create(user=world.ama, name="matrix")
    # A signing key of ama's registered activity (dmrv.key_registered), also before any snapshot.
    from projects.dmrv.services import mrv_key_register

    scene.mrv_key, _secret = mrv_key_register(activity=scene.sides[0].registered, user=world.ama)
    return scene


def _transition_requests_build(scene, world):
    """CDM transition requests (projects.transition), made in 2023 before their deadline
    (A6.4-PROC-AC-001 v06.0 para 12): ama's published one awaiting the host, kofi's unpublished one
    (seen by its participants, its host's DNA, the secretariat and the SB only, para 15)."""
    import time_machine

    from pacm.engine.timers import timers_run
    from projects.transition import services as transition_services

    def data(side, cdm):
        version = world.version
        return dict(cdm_reference=cdm, title=f"Matrix transition of {side.participant} ({cdm})", host_party=side.host,
                    methodology_version=version, sectoral_scope=version.methodology.sectoral_scopes.first(),
                    location="Matrix", estimated_annual=40_000, start_date=datetime.date(2014, 1, 1),
                    crediting_type="renewable", cdm_crediting_start=datetime.date(2014, 6, 1),
                    cdm_crediting_end=datetime.date(2021, 5, 31))

    ama_side, kofi_side = scene.sides
    with time_machine.travel(datetime.datetime(2023, 6, 1, 9, 0, tzinfo=datetime.UTC), tick=False) as traveller:
        published = transition_services.transition_request_create(user=world.ama, **data(ama_side, "90001"))
        transition_services.transition_request_publish(request=published, user=world.sam)
        traveller.move_to(datetime.datetime(2023, 7, 1, 9, 0, tzinfo=datetime.UTC))
        timers_run()
        hidden = transition_services.transition_request_create(user=world.kofi, **data(kofi_side, "90002"))
    scene.transitions = [TransitionRequest.objects.get(pk=published.pk), TransitionRequest.objects.get(pk=hidden.pk)]
    scene.objs[("TransitionRequest", published.pk)] = Obj("ama's published transition request", EVERYONE,
                                                          {"ama": AP, "dina": DNA})
    scene.objs[("TransitionRequest", hidden.pk)] = Obj(
        "kofi's unpublished transition request", frozenset({"kofi", "nils", "sam", "sofia"}),
        {"kofi": AP, "nils": DNA}, markers=(hidden.title,))


def transition_routes(*, read=False, names=False, table=None, rows="transitions", none="no such transition request"):
    """A filler for a route of one transition request (or another subject by pk: `table` its
    machine's writes, `rows` the scene's attribute): each of the scene's, and one that is none;
    with `names`, the writes live in its state, one a timer fires, and a name that is none."""
    table = table if table is not None else TRANSITION_MACHINE.writes

    def fill(scene):
        targets, sent_once = [], set()
        bases = [(scene.obj(r).label, r, scene.obj(r)) for r in getattr(scene, rows)]
        for label, request, obj in [*bases, (none, None, NOWHERE)]:
            base = {"pk": request.pk if request is not None else NO_SUCH_ID}
            extras = [("", {})]
            if names:
                extras = []
                for name in _live_names(table, request.state if request else None):
                    if name.startswith(ONCE):
                        if name in sent_once:
                            continue
                        sent_once.add(name)
                    extras.append((f" /{name.replace(ONCE, '')}", {"name": name.replace(ONCE, "")}))
            for more_label, more in extras:
                spec = table.get(more.get("name", ""))
                targets.append(Target(label=f"{label}{more_label}", kwargs={**base, **more}, obj=obj,
                                      roles=frozenset(spec.actors if spec else ()), read=read))
        return targets

    return fill


def _transition_create_post(kwargs, scene, persona):
    version = scene.world.version
    return {"cdm_reference": "90009", "kind": "project", "title": "Matrix late transition",
            "host_party": scene.world.host.pk, "methodology_version": version.pk,
            "sectoral_scope": version.methodology.sectoral_scopes.first().pk, "location": "Matrix",
            "estimated_annual": "40000", "start_date": "2014-01-01", "crediting_type": "renewable",
            "cdm_crediting_start": "2014-06-01", "cdm_crediting_end": "2021-05-31", "renewals_remaining": "0"}


def _transition_act_post(kwargs, scene, persona):
    return {"t-comment": "Matrix", "t-sd_confirmation": "Matrix SD", "t-ndc_relation": "Matrix NDC",
            "t-reference": "WIRE-MATRIX", "t-note": "Matrix note", "t-date": "2023-01-01"}
# --- Programmes of activities (projects.poa) ---------------------------------------------------

def _poas_drive(world):
    """ama's draft PoA (Ghana only) and ama's registered two-country PoA (Ghana and Kenya; dora
    validated it; dina and nils approved), with one CP included and one only notified (both in
    Ghana, implemented by kofi's organisation, validated by otto)."""
    from projects.poa import services as poa_services
    from tests.poa.conftest import notify_cp, poa_data, reach_cp, reach_poa

    draft = poa_services.poa_create(**poa_data(world, hosts=[world.host], title="Matrix draft PoA of ama (secret)"))
    registered = reach_poa(world, poa_services.poa_create(**poa_data(world, title="Matrix registered PoA")), A.REGISTERED)
    included = reach_cp(world, notify_cp(world, registered, title="Matrix included CP"), "included")
    notified = notify_cp(world, registered, title="Matrix notified CP (secret)")
    return draft, registered, included, notified


def _poas_build(world, scene):
    """Who sees and acts on the PoAs and CPs: as for an activity (public once the PoA-DD is
    published); a CP publicly once included (PROC-AC-003 v03.0 para 126), before that its
    implementers, the PoA's entity, its DOE, its host's DNA and the mechanism's officers."""
    draft, registered, included, notified = scene.poa_rows
    draft, registered = Programme.objects.get(pk=draft.pk), Programme.objects.get(pk=registered.pk)
    scene.poas = [draft, registered]
    scene.objs[("Programme", draft.pk)] = Obj("ama's draft PoA", frozenset({"ama"}), {"ama": AP},
                                               markers=(draft.reference, draft.title))
    scene.objs[("Programme", registered.pk)] = Obj("ama's registered PoA", EVERYONE,
                                                    {"ama": AP, "dina": DNA, "nils": DNA})
    cp_ties = {"ama": AP, "kofi": AP, "otto": DOE, "dina": DNA}
    scene.cps = [ComponentProject.objects.get(pk=included.pk), ComponentProject.objects.get(pk=notified.pk)]
    scene.objs[("ComponentProject", included.pk)] = Obj("the included CP", EVERYONE, cp_ties)
    scene.objs[("ComponentProject", notified.pk)] = Obj(
        "the notified CP", frozenset({"ama", "kofi", "otto", "dina", "sam", "sofia"}), cp_ties,
        markers=(notified.reference, notified.title))


def _poa_batch_build(world, scene):
    """A batch of ama's registered PoA (its included CP, PROC-AC-003 v03.0 paras 217-220) under
    verification by dora; the period page serves it: seen by everyone, the PoA's entity, the
    verification DOE and the first host's DNA tied to it (rules-coverage poa-issuance-9)."""
    from projects.poa import services as poa_services
    from projects.poa.issuance import poa_period_submit

    poa, cp = scene.poas[1], scene.cps[0]
    poa_services.poa_engage_verification_doe(poa=poa, user=world.ama, doe=world.orgs["doe"])
    start = cp.crediting_start
    batch = poa_period_submit(poa=poa, user=world.ama, start=start, end=start + datetime.timedelta(days=90),
                              claims={cp.reference: {start.year: 100}}, report=f.pdf("matrix-poa-batch.pdf"))
    scene.batch = services.period_start_verification(period=batch, user=world.dora)
    # The engaged verification DOE is tied to the PoA as a project's engaged DOE is to its activity.
    key = ("Programme", poa.pk)
    scene.objs[key] = Obj(scene.objs[key].label, scene.objs[key].seen, {**scene.objs[key].ties, "dora": DOE},
                          markers=scene.objs[key].markers)
    scene.batch_obj = Obj("ama's registered PoA, batch 1", EVERYONE,
                          {"ama": AP, "dora": DOE, "dina": DNA})  # the first host's DNA only (poa-issuance-9)


def batch_routes(roles_of, *, read=False, extra=None):
    """A filler for a PoA batch on a period route (the period page serves it): the batch, and a batch that is none."""
    def fill(scene):
        poa = scene.poas[1]
        targets = []
        for label, period, number, obj in (("ama's registered PoA, batch 1", scene.batch, 1, scene.batch_obj),
                                           ("ama's registered PoA, no batch 77", None, 77, NOWHERE),
                                           ("ama's draft PoA, batch 1 (none)", None, 1, NOWHERE)):
            reference = poa.reference if number == 77 or period else scene.poas[0].reference
            for more_label, more, override in (extra(scene, period) if extra else [("", {}, None)]):
                kwargs = {"reference": reference, "number": number, **more}
                targets.append(Target(label=f"{label}{more_label.replace(ONCE, '')}", kwargs=kwargs,
                                      obj=override or obj, roles=frozenset(roles_of(kwargs)), read=read))
        return targets
    return fill


def _and(*fillers):
    return lambda scene: [t for filler in fillers for t in filler(scene)]


POA_BY_NAME = {t.name: t for t in POA_TRANSITIONS}
CP_BY_NAME = {t.name: t for t in CP_TRANSITIONS}


def _filled(scene, bases, roles_of, read, extra):
    targets, sent_once = [], set()
    for label, obj_row, obj, base in bases:
        for more_label, more, override in (extra(scene, obj_row) if extra else [("", {}, None)]):
            if more_label.startswith(ONCE):
                if more_label in sent_once:
                    continue
                sent_once.add(more_label)
                more_label = more_label[len(ONCE):]
            kwargs = {**base, **more}
            targets.append(Target(label=f"{label}{more_label}", kwargs=kwargs, obj=override or obj,
                                  roles=frozenset(roles_of(kwargs)), read=read))
    return targets


def poa_routes(roles_of, *, read=False, extra=None):
    def fill(scene):
        bases = [(scene.obj(p).label, p, scene.obj(p), {"reference": p.reference}) for p in scene.poas]
        bases.append(("no such PoA", None, NOWHERE, {"reference": "A64-P999999"}))
        return _filled(scene, bases, roles_of, read, extra)
    return fill


def cp_routes(roles_of, *, read=False, extra=None):
    def fill(scene):
        bases = [(scene.obj(c).label, c, scene.obj(c), {"reference": c.reference}) for c in scene.cps]
        bases.append(("no such CP", None, NOWHERE, {"reference": "A64-P999999-CP0001"}))
        return _filled(scene, bases, roles_of, read, extra)
    return fill


def _poa_names(scene, poa):
    names = _live_names(POA_BY_NAME, poa.state if poa else None)
    return [_once(f" /{name}", {"name": name.replace(ONCE, "")}, None, name) for name in names]


def _cp_names(scene, cp):
    live = [name for name, spec in CP_BY_NAME.items() if cp is not None and cp.state in spec.source]
    return [_once(f" /{name}", {"name": name.replace(ONCE, "")}, None, name) for name in [*live, ONCE + "no_such_action"]]


def _poa_hosts(scene, poa):
    own = list(PoAHost.objects.filter(poa=poa).order_by("pk")) if poa else []
    out = [(f" /host {h.party.iso2}", {"host_id": h.pk}, None) for h in own]
    foreign = PoAHost.objects.exclude(poa=poa).order_by("pk").first()
    out.append((" /a host of another PoA", {"host_id": foreign.pk}, NOWHERE))
    return out


def _poa_fees(scene, poa):
    own = list(Fee.objects.filter(activity=poa).order_by("pk")) if poa else []
    out = [(f" /fee {fee.kind}", {"fee_id": fee.pk}, None) for fee in own]
    foreign = Fee.objects.exclude(activity=poa).order_by("pk").first()
    out.append((" /a fee of another activity", {"fee_id": foreign.pk}, NOWHERE))
    return out


def _poa_transition_post(kwargs, scene, persona, model=Programme):
    row = model.objects.filter(reference=kwargs["reference"]).first()
    name = kwargs["name"]
    return {f"t-{name}-comment": "Matrix reasons", f"t-{name}-expected_state": row.state if row else ""}


def _poa_create_post(kwargs, scene, persona):
    world = scene.world
    return {"hosts": [world.host.pk], "methodology_version": world.version.pk, "sectoral_scope": 13,
            "location": "Matrix", "period_start": "2026-01-01", "period_end": "2030-12-31", "estimated_annual": "10",
            "description": "Matrix", "criteria": "One"}  # no title: never complete


def _cp_notify_post(kwargs, scene, persona):
    return {"title": "Matrix CP", "location": "Matrix", "technologies": "Matrix", "start_date": "2027-01-01",
            "crediting_type": "fixed", "crediting_start": "2027-02-01", "crediting_end": "2028-01-31",
            "estimated_annual": "1", "participants": [scene.world.orgs["dev2"].pk], "doe": scene.world.orgs["doe2"].pk}


def _poa_host_post(kwargs, scene, persona):
    key = f"host-{kwargs['host_id']}"
    return {f"{key}-max_annual": "1", f"{key}-sd_confirmation": "Matrix", f"{key}-ndc_relation": "Matrix"}


def _design_post(kwargs, scene, persona):
    return {"design-criteria": "Matrix criterion", "design-typical_cps": "Matrix"}




# --- Kwarg fillers: the targets of each route ---------------------------------------------------

# An extra kwarg value that only a dispatch checks (an action that is none, a version that does not
# exist) is sent once per route, with its first object: the answer does not depend on the object.
ONCE = "\x00once"
NO_SUCH_REFERENCE = "A64-999999"
NO_SUCH_ID = 999_999


def _activity_targets(scene):
    """(label, activity or None, Obj) for every activity of the scene, and one that does not exist."""
    out = [(scene.obj(a).label, a, scene.obj(a)) for a in scene.activities]
    return out + [("no such activity", None, NOWHERE)]


def _ref(activity):
    return activity.reference if activity is not None else NO_SUCH_REFERENCE


def activity_routes(roles_of, *, read=False, extra=None):
    """A filler for a route of one activity: `roles_of(kwargs)` says which roles it serves;
    `extra(scene, activity)` yields (label, more kwargs, Obj override or None) for its other kwargs."""

    def fill(scene):
        targets, sent_once = [], set()
        for label, activity, obj in _activity_targets(scene):
            base = {"reference": _ref(activity)}
            for more_label, more, override in (extra(scene, activity) if extra else [("", {}, None)]):
                if more_label.startswith(ONCE):
                    if more_label in sent_once:
                        continue
                    sent_once.add(more_label)
                    more_label = more_label[len(ONCE):]
                kwargs = {**base, **more}
                targets.append(Target(
                    label=f"{label}{more_label}", kwargs=kwargs, obj=override or obj,
                    roles=frozenset(roles_of(kwargs)), read=read,
                ))
        return targets

    return fill


def _once(label, kwargs, override, value):
    """An extra (label, kwargs, override) marked to be sent once per route when `value` says so."""
    return ((ONCE if value.startswith(ONCE) else "") + label.replace(ONCE, ""), kwargs, override)


def _live_names(table, state):
    """The buttons live in `state` (the ones a person could press now), one a timer fires, and a name
    that is none: a refusal comes before the name matters, so the dead ones add nothing."""
    # A write declared for any open state (source None: the consultation's comment actions) is live too.
    live = [name for name, spec in table.items()
            if (spec.source is None or state in spec.source) and Role.TIMER not in spec.actors]
    timer = next(name for name, spec in table.items() if Role.TIMER in spec.actors)
    return [*live, ONCE + timer, ONCE + "no_such_action"]


def _names(table):
    def extra(scene, activity):
        names = _live_names(table, activity.state if activity else None)
        return [_once(f" /{name}", {"name": name.replace(ONCE, "")}, None, name) for name in names]
    return extra


def _transition_roles(table):
    def roles(kwargs):
        spec = table.get(kwargs["name"])
        return spec.actors if spec else ()
    return roles


def _versions(scene, activity):
    """Each document version of this activity; and a version of another activity under this one's URL."""
    own = list(DocumentVersion.objects.filter(document__activity=activity).order_by("pk")[:1]) if activity else []
    out = [(f" /{v.original_name}", {"version_id": v.pk}, None) for v in own]
    foreign = DocumentVersion.objects.exclude(document__activity=activity).order_by("pk").first()
    out.append((f" /a version of another activity ({foreign.original_name})", {"version_id": foreign.pk}, NOWHERE))
    out.append((ONCE + " /no such version", {"version_id": NO_SUCH_ID}, NOWHERE))
    return out


# answer: the participants; close (and reopen, the same role, left out): the DOE (policy.md §4).
FINDING_ACTIONS = {"answer": {AP}, "close": {DOE}}


def _findings(scene, activity):
    numbers = sorted(Finding.objects.filter(activity=activity).values_list("number", flat=True)) if activity else []
    out = []
    for number in numbers or [1]:
        for action in [*FINDING_ACTIONS, ONCE + "no_such_action"]:
            out.append(_once(f" /finding {number} {action}", {"number": number, "action": action.replace(ONCE, "")},
                             None, action))
    return out


def _finding_roles(kwargs):
    return FINDING_ACTIONS.get(kwargs["action"], ())


def _fees(scene, activity):
    own = list(Fee.objects.filter(activity=activity).order_by("pk")) if activity else []
    out = [(f" /fee {fee.kind}", {"fee_id": fee.pk}, None) for fee in own]
    foreign = Fee.objects.exclude(activity=activity).order_by("pk").first()
    out.append((" /a fee of another activity", {"fee_id": foreign.pk}, NOWHERE))
    return out


EVENT_TABLE = {**EVENT_BY_NAME, **{a.name: a for a in EVENT_ACTIONS}}


def event_routes(roles_of, *, read=False, extra=None):
    """A filler for a route of one observed event: each side's event, a number that does not exist,
    and event 1 under a hidden activity's reference."""

    def fill(scene):
        bases = []
        for side in scene.sides:
            obj = scene.obj(side.registered)
            bases.append((f"{obj.label}, observed event 1 ({side.event.state})", side.registered, side.event, 1, obj))
            bases.append((f"{obj.label}, no observed event 77", side.registered, None, 77, NOWHERE))
            bases.append((f"{side.participant}'s unpublished activity, observed event 1 (none)", side.unpublished,
                          None, 1, NOWHERE))
        bases.append(("no such activity, observed event 1", None, None, 1, NOWHERE))
        targets, sent_once = [], set()
        for label, activity, event, number, obj in bases:
            base = {"reference": _ref(activity), "number": number}
            for more_label, more, override in (extra(scene, event) if extra else [("", {}, None)]):
                if more_label.startswith(ONCE):
                    if more_label in sent_once:
                        continue
                    sent_once.add(more_label)
                    more_label = more_label[len(ONCE):]
                kwargs = {**base, **more}
                targets.append(Target(label=f"{label}{more_label}", kwargs=kwargs, obj=override or obj,
                                      roles=frozenset(roles_of(kwargs)), read=read))
        return targets

    return fill


def _event_names(scene, event):
    names = _live_names(EVENT_TABLE, event.state if event else None)
    return [_once(f" /{name}", {"name": name.replace(ONCE, "")}, None, name) for name in names]


def _dues(scene, activity):
    """No due date exists in the scene (its methodology sets none): one that does not exist."""
    return [(f" /report due 77 /{name}", {"number": 77, "name": name}, NOWHERE) for name in sorted(DUE_BY_NAME)[:1]]


def _terminations(scene, activity):
    """No request to end post-crediting monitoring exists in the scene (no removals activity has
    ended its crediting period): one that does not exist (A6.4-STAN-METH-002 para 28)."""
    from projects.removals.cycle import TERMINATION_TRANSITIONS

    return [(f" /termination 77 /{t.name}", {"number": 77, "name": t.name}, NOWHERE)
            for t in TERMINATION_TRANSITIONS[:1]]


def _termination_roles(kwargs):
    from projects.removals.cycle import TERMINATION_TRANSITIONS

    return next((t.actors for t in TERMINATION_TRANSITIONS if t.name == kwargs["name"]), ())


def _stress_tests(scene):
    """The buffer stress test: only the secretariat and the SB open it (paras 60-61)."""
    test = scene.stress_test
    return [Target(label="the buffer stress test", kwargs={"pk": test.pk}, obj=scene.obj(test), read=True),
            Target(label="no such stress test", kwargs={"pk": NO_SUCH_ID}, obj=NOWHERE)]


def _stress_post(kwargs, scene, persona):
    return {"stress-largest": "2", "stress-region": "", "stress-region_share": "100", "stress-band_low": "0",
            "stress-band_high": "100", "stress-band_share": "50"}


def _risk_writes(scene, activity):
    """Each write of the activity's open revision (projects.risk), a revision number that is none."""

    numbers = list(activity.risk_assessments.exclude(state="validated").values_list("number", flat=True)) \
        if activity else []
    out = []
    for number in numbers or [1]:
        for name in ["submit_revision", ONCE + "validate_revision", ONCE + "open_revision", ONCE + "no_such_action"]:
            out.append(_once(f" /revision {number} {name}", {"number": number, "name": name.replace(ONCE, "")},
                             None, name))
    out.append((ONCE + " /no revision 77", {"number": 77, "name": "submit_revision"}, NOWHERE))
    return out


def _risk_roles(kwargs):
    from projects.risk.machine import RISK

    write = RISK.writes.get(kwargs["name"])
    return write.actors if write is not None else ()


def _risk_post(kwargs, scene, persona):
    key = f"risk-{kwargs['number']}-{kwargs['name']}"
    return {f"{key}-comment": "Matrix reasons", f"{key}-rating": "12", f"{key}-expected_state": "due"}


def period_routes(roles_of, *, read=False, extra=None):
    """A filler for a route of one monitoring period: every period of the scene, a period number
    that does not exist, and period 1 under a hidden activity's reference."""

    def fill(scene):
        bases = []
        for side in scene.sides:
            obj = scene.obj(side.registered)
            for period in side.periods:
                bases.append((f"{obj.label}, period {period.number} ({period.state})", side.registered, period,
                              period.number, obj))
            bases.append((f"{obj.label}, no period 77", side.registered, None, 77, NOWHERE))
            bases.append((f"{side.participant}'s unpublished activity, period 1 (none)", side.unpublished, None, 1,
                          NOWHERE))
        bases.append(("no such activity, period 1", None, None, 1, NOWHERE))
        targets, sent_once = [], set()
        for label, activity, period, number, obj in bases:
            base = {"reference": _ref(activity), "number": number}
            for more_label, more, override in (extra(scene, period) if extra else [("", {}, None)]):
                if more_label.startswith(ONCE):
                    if more_label in sent_once:
                        continue
                    sent_once.add(more_label)
                    more_label = more_label[len(ONCE):]
                kwargs = {**base, **more}
                targets.append(Target(label=f"{label}{more_label}", kwargs=kwargs, obj=override or obj,
                                      roles=frozenset(roles_of(kwargs)), read=read))
        return targets

    return fill


def _period_names(scene, period):
    names = _live_names(PERIOD_BY_NAME, period.state if period else None)
    return [_once(f" /{name}", {"name": name.replace(ONCE, "")}, None, name) for name in names]


def _period_findings(scene, period):
    numbers = sorted(period.findings.values_list("number", flat=True)) if period else []
    out = []
    for number in numbers or [1]:
        for action in [*FINDING_ACTIONS, ONCE + "no_such_action"]:
            out.append(_once(f" /finding {number} {action}",
                             {"finding_number": number, "action": action.replace(ONCE, "")}, None, action))
    return out


def _period_fees(scene, period):
    own = list(period.fees.order_by("pk")) if period else []
    out = [(f" /fee {fee.kind}", {"fee_id": fee.pk}, None) for fee in own]
    foreign = Fee.objects.exclude(monitoring_period=period).order_by("pk").first()
    out.append((" /a fee of another period or activity", {"fee_id": foreign.pk}, NOWHERE))
    return out


# The mechanism's cancellation accounts are alike to the matrix: PACM-OMGE-MAND stands for them.
SAME = {AccountKind.OMGE_VOLUNTARY, AccountKind.CANCELLATION_OIMP, AccountKind.VOLUNTARY_CANCELLATION,
        AccountKind.ADMIN_CANCELLATION}


def account_routes(*, read=False):
    """A filler for a route of one account: every account of the scene, and one that does not exist."""

    def fill(scene):
        targets = [Target(label=scene.obj(a).label, kwargs={"number": a.number}, obj=scene.obj(a),
                          roles=frozenset({AP, DNA, AF}), read=read) for a in scene.accounts if a.kind not in SAME]
        return targets + [Target(label="no such account", kwargs={"number": "PACM-NOPE"}, obj=NOWHERE, read=read)]

    return fill


def _aef_reports(scene):
    """pacm issue 9: a Party's AEF is its DNA's and the secretariat's (7/CMA.4 annex I paras 47-48;
    PROC-REGS-001 para 77); one Party that does not exist."""
    year = timezone.localdate().year
    targets = [Target(label=f"AEF of {party.iso2}", kwargs={"iso2": party.iso2, "year": year, "fmt": "xlsx"},
                      obj=Obj(f"AEF of {party.iso2}", frozenset({dna, "sam"})), read=True)
               for party, dna in ((scene.world.host, "dina"), (scene.world.other, "nils"))]
    return targets + [Target(label="no such Party", kwargs={"iso2": "ZZ", "year": year, "fmt": "xlsx"},
                             obj=NOWHERE, read=True)]


def _roles(*roles):
    return lambda kwargs: roles


def _decisions(scene):
    """The Board decision open on ama's registered activity (SB members vote), and one that is none."""
    obj = scene.obj(scene.sides[0].registered)
    return [Target(label="the Board's open decision on ama's registered activity", kwargs={"pk": scene.decision.pk},
                   obj=obj, roles=frozenset({SB})),
            Target(label="no such decision", kwargs={"pk": NO_SUCH_ID}, obj=NOWHERE)]


def _comment_numbers(scene, activity):
    """The published comment (on ama's registered activity; elsewhere no such number), and one that is none."""
    return [(" /comment 1", {"number": 1}, None), (ONCE + " /no comment 77", {"number": 77}, NOWHERE)]


def _confirm_tokens(scene):
    """A pending comment's confirmation link opens for anyone (a read); a forged one is a 404."""
    everyone = Obj("a pending comment's confirmation page", EVERYONE)
    return [Target(label="a pending comment's link", kwargs={"token": scene.comment_token}, obj=everyone, read=True),
            Target(label="a forged link", kwargs={"token": scene.comment_token[:-3] + "xyz"}, obj=NOWHERE),
            Target(label="a link that is none", kwargs={"token": "nonsense"}, obj=NOWHERE)]


def _notifications(scene):
    """Each persona's own notification is theirs to open; anyone else's is a 404."""
    targets = [Target(label=scene.objs[("Notification", row.pk)].label, kwargs={"pk": row.pk},
                      obj=scene.objs[("Notification", row.pk)], roles=frozenset({AP}))
               for row in scene.notifications.values()]
    return targets + [Target(label="no such notification", kwargs={"pk": NO_SUCH_ID}, obj=NOWHERE)]


# --- Payloads: what a POST sends, valid as far as its form goes -----------------------------------

def _pdd_post(scene):
    world = scene.world
    data = f.pdd_data(world.other, world.version, title="Matrix rewritten title")
    data["host_party"], data["methodology_version"] = data["host_party"].pk, data["methodology_version"].pk
    data["sectoral_scope"] = data["sectoral_scope"].pk
    return {k: (v.isoformat() if isinstance(v, datetime.date) else v) for k, v in data.items()}


def _transition_post(kwargs, scene, period=False):
    name = kwargs["name"]
    activity = Activity.objects.filter(reference=kwargs["reference"]).first()
    state = ""
    if activity is not None:
        state = activity.state
        if period:
            state = MonitoringPeriod.objects.filter(activity=activity, number=kwargs["number"]).values_list(
                "state", flat=True).first() or ""
    return {f"t-{name}-comment": "Matrix reasons", f"t-{name}-expected_state": state, f"t-{name}-risk_rating_accepted": "on"}


# A kind each persona's role may upload (services.design.UPLOADERS), so only the tie is missing.
UPLOAD_KIND = {"dina": "host_approval_letter", "nils": "host_approval_letter"}


def _upload_post(kwargs, scene, persona):
    return {"upload-kind": UPLOAD_KIND.get(persona, "other"), "upload-title": "Matrix upload",
            "upload-file": f.pdf("matrix-upload.pdf")}


def _finding_act_post(prefix_kw):
    def build(kwargs, scene, persona):
        key = f"{kwargs['action']}-{kwargs[prefix_kw]}"
        return {f"{key}-response": "Matrix answer", f"{key}-comment": "Matrix comment"}
    return build


def _account_of(scene, persona):
    """The persona's own holding account (where a thief would move units to), else another one."""
    for side in scene.sides:
        if side.participant == persona:
            return side.account.number
    return scene.sides[1].account.number


def _move_post(prefix):
    def build(kwargs, scene, persona):
        return {
            f"{prefix}-to_account": _account_of(scene, persona), f"{prefix}-quantity": "1",
            f"{prefix}-purpose": "Matrix", f"{prefix}-beneficiary": "", f"{prefix}-use": "voluntary",
            f"{prefix}-party": scene.world.host.pk, f"{prefix}-activity": "", f"{prefix}-vintage": "",
        }
    return build


def _issuance_post(kwargs, scene, persona):
    return {"issue-units_requested": "1", "issue-omge_rate": "", "issue-comment": "", "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0", "lines-MIN_NUM_FORMS": "0", "lines-MAX_NUM_FORMS": "1000",
            "lines-0-account": "PACM-H-SAV-1", "lines-0-units": "", "lines-0-percent": "100", "submit": "1"}


def _certify_post(kwargs, scene, persona):
    data = {"certify-comment": "Matrix"}
    for year in range(2015, 2040):
        data[f"certify-verified_{year}"] = "1"
    return data


def _period_submit_post(kwargs, scene, persona):
    today = datetime.date.today()
    return {"start": (today - datetime.timedelta(days=20)).isoformat(), "end": today.isoformat(), "comment": "",
            "claims-TOTAL_FORMS": "1", "claims-INITIAL_FORMS": "0", "claims-MIN_NUM_FORMS": "0",
            "claims-MAX_NUM_FORMS": "1000", "claims-0-vintage": str(today.year), "claims-0-quantity": "5",
            "report": f.pdf("matrix-mr.pdf")}


def _event_write_post(kwargs, scene, persona):
    """Every field any write of the event page takes, valid as far as its form goes."""
    name = kwargs["name"]
    event = ObservedEvent.objects.filter(activity__reference=kwargs["reference"], number=kwargs["number"]).first()
    key = f"w-{name}"
    return {f"{key}-comment": "Matrix reasons", f"{key}-expected_state": event.state if event else "",
            f"{key}-occurred_to": timezone.localdate().isoformat(), f"{key}-authorized": "1",
            f"{key}-contribution": "0", f"{key}-avoidable": "no", f"{key}-from_account": scene.sides[0].account.pk,
            f"{key}-unit_type": "authorized", f"{key}-quantity": "1",
            f"{key}-requested_due_on": "2199-01-01"}


def _fee_post(kwargs, scene, persona):
    return {f"fee-{kwargs['fee_id']}-reference": "MATRIX-WIRE"}


def _host_post(kwargs, scene, persona):
    activity = Activity.objects.filter(reference=kwargs["reference"]).first()
    participants = list(activity.participants.values_list("pk", flat=True)) if activity else []
    return {"host-sd_confirmation": "Matrix", "host-ndc_relation": "Matrix",
            "host-authorized_participants": participants}


def _account_open_post(kwargs, scene, persona):
    # An organisation of another Party for a DNA; the secretariat may open for anyone (not sent for it).
    other = scene.world.orgs["volta"] if persona == "nils" else scene.world.orgs["lagoon"]
    return {"open-organisation": other.pk, "open-name": "Matrix account"}


def _activity_create_post(kwargs, scene, persona):
    # On behalf of another participant's organisation: the form has no such choice, so a participant's
    # POST drafts nothing unless it is complete; it is sent incomplete (no title).
    data = _pdd_post(scene)
    data.pop("title")
    data["organisation"] = scene.world.orgs["dev2" if persona == "ama" else "dev"].pk
    return data


# --- The declaration of every route ---------------------------------------------------------------

@dataclass(frozen=True)
class Spec:
    """How the matrix treats one route.

    - page: no object in the URL; anyone (or anyone logged in) opens it. The matrix checks that it
      shows nothing of what the persona may not see, and that a POST (`post`) changes nothing.
      `skip` names the personas whose POST is legitimately theirs (not sent).
    - fill: the route has object kwargs; `fill(scene)` returns its Targets.
    """

    fill: object = None
    post: object = None
    page: bool = False
    skip: frozenset = frozenset()
    # The methods the route serves; the other one is sent once, to the first target, and must be a 405.
    methods: tuple = ("GET", "POST")


def POST_ONLY(**kw):
    return Spec(methods=("POST",), **kw)


def GET_ONLY(**kw):
    return Spec(methods=("GET",), **kw)


def _nothing(kwargs, scene, persona):
    return {}


def _monitoring_report_post(kwargs, scene, persona):
    """A well-formed monitoring report (multipart): the refusal is what is tested, not ninja's validation."""
    return {"start": "2025-01-01", "end": "2025-06-30", "claims": '[{"vintage": 2025, "quantity": 10}]',
            "comment": "Matrix report", "report": f.pdf("matrix-report.pdf")}


def _readings_post(kwargs, scene, persona):
    """A well-formed batch of readings (unsigned: the refusal comes before the signature is read)."""
    return {"readings": [{"parameter": "flow", "value": "1.5", "unit": "m3", "measured_at": "2025-01-01T00:00:00Z",
                          "source": "matrix-meter"}]}


def _finding_raise_post(kwargs, scene, persona):
    return {"finding-kind": "car", "finding-text": "Matrix finding"}


def _engage_post(kwargs, scene, persona):
    return {"engage-doe": scene.world.orgs["doe2"].pk}


def _authorization_post(kwargs, scene, persona):
    return {"auth-uses": "ndc", "auth-effective_from": "2021-01-01"}


def _observed_event_post(kwargs, scene, persona):
    today = timezone.localdate().isoformat()
    return {"observed-description": "Matrix", "observed-location": "Matrix", "observed-occurred_from": today,
            "observed-aware_on": today}


def _board_post(kwargs, scene, persona):
    return {"board-meeting-transition": "deregister", "board-meeting-meeting": "SBM099",
            "board-meeting-agenda_item": "4.2", "board-meeting-outcome": "adopted", "board-meeting-by": "consensus",
            "board-meeting-comment": "Matrix", "board-open-transition": "deregister", "board-open-comment": "Matrix"}


def _vote_post(kwargs, scene, persona):
    return {"board-vote-choice": "yes"}


def _comment_post(kwargs, scene, persona):
    return {"gsc-author_name": "Matrix", "gsc-organisation": "", "gsc-email": "matrix@example.org",
            "gsc-text": "Matrix comment", "gsc-website": ""}


def _comment_reply_post(kwargs, scene, persona):
    number = kwargs["number"]
    return {f"answer-{number}-text": "Matrix answer", f"assess-{number}-outcome": "taken",
            f"assess-{number}-text": "Matrix assessment"}


def _login_post(kwargs, scene, persona):
    return {"username": "ama", "password": "not-her-password"}


POA_ROUTES = {
    "poa-list": Spec(page=True, post=_nothing),
    "poa-create": Spec(page=True, post=_poa_create_post),
    "poa-detail": Spec(fill=poa_routes(_roles(), read=True), post=_nothing),
    "poa-transition": POST_ONLY(fill=poa_routes(_transition_roles(POA_BY_NAME), extra=_poa_names),
                                post=_poa_transition_post),
    "poa-engage-doe": POST_ONLY(fill=poa_routes(_roles(AP)), post=lambda kw, s, p: {"engage-doe": s.world.orgs["doe2"].pk}),
    "poa-design": POST_ONLY(fill=poa_routes(_roles(AP)), post=_design_post),
    "poa-host-approve": POST_ONLY(fill=poa_routes(_roles(DNA), extra=_poa_hosts), post=_poa_host_post),
    "poa-document-upload": POST_ONLY(fill=poa_routes(_roles(AP, DOE, DNA)), post=_upload_post),
    "poa-authorization": POST_ONLY(fill=poa_routes(_roles(DNA)), post=_authorization_post),
    "poa-fee-pay": POST_ONLY(fill=poa_routes(_roles(SEC), extra=_poa_fees), post=_fee_post),
    "cp-notify": Spec(fill=poa_routes(_roles(AP)), post=_cp_notify_post),
    "cp-detail": Spec(fill=cp_routes(_roles(), read=True), post=_nothing),
    "cp-transition": POST_ONLY(fill=cp_routes(_transition_roles(CP_BY_NAME), extra=_cp_names),
                               post=lambda kw, s, p: _poa_transition_post(kw, s, p, model=ComponentProject)),
    "cp-document-upload": POST_ONLY(fill=cp_routes(_roles(AP, DOE)), post=lambda kw, s, p: {
        "upload-kind": "cp_dd", "upload-file": f.pdf("matrix-cp.pdf")}),
    # PoA monitoring per batch of CPs and the DOE's liability (PROC-AC-003 v03.0 paras 139, 217-222).
    "poa-monitoring-submit": POST_ONLY(fill=poa_routes(_roles(AP)), post=lambda kw, s, p: {
        "batch-start": "2021-01-01", "batch-end": "2021-12-31", "batch-lines": "A64-P999999-CP0001, 2021, 10",
        "batch-report": f.pdf("matrix-batch.pdf")}),
    "poa-engage-verification-doe": POST_ONLY(fill=poa_routes(_roles(AP)),
                                             post=lambda kw, s, p: {"verification-doe": ""}),
    # No CP of the matrix owes a liability: refused for everyone.
    "cp-liability-settle": POST_ONLY(fill=cp_routes(_roles()), post=_nothing),
    # PROC-AC-003 v03.0 para 297 (renewal-20): both CPs of the matrix record their DOE (otto): refused for
    # everyone (`cp_doe_recorded`); a transitioned CP's engagement: tests/renewals/test_transitioned_cp_doe.py.
    "cp-engage-doe": POST_ONLY(fill=cp_routes(_roles()), post=lambda kw, s, p: {"engage-doe": s.world.orgs["doe2"].pk}),
}


# --- Generated documents (projects.certificates, pacm issue 9) --------------------------------------

def _documents():
    from projects.certificates.models import IssuedDocument

    return list(IssuedDocument.objects.order_by("pk"))


def _document_obj(scene, doc):
    """Public kinds to anyone; the host's letter and statement to whoever sees the activity."""
    from projects.certificates.kinds import kind_of

    if kind_of(doc.kind).public:
        return Obj(f"the {doc.kind} document {doc.code}", EVERYONE)
    return scene.objs.get(("Activity", doc.activity_id), NOWHERE)


def _certificate_pdfs(scene):
    """Each document the scene generated (its issuances' statements: their on-commit tasks ran), a
    registration certificate not generated (the scene's registrations ran no on-commit work), a
    subject that is none and a kind that is none."""
    docs = _documents()
    assert docs, "the scene generated no document: the issuance's on-commit work should have"
    targets = [Target(label=f"the {d.kind} document {d.code}", kwargs={"kind": d.kind, "subject_id": d.subject_id},
                      obj=_document_obj(scene, d), read=True) for d in docs]
    registered = scene.sides[0].registered
    return targets + [
        Target(label="a registration certificate not generated", obj=NOWHERE,
               kwargs={"kind": "registration", "subject_id": registered.pk}),
        Target(label="no such issuance", kwargs={"kind": "issuance", "subject_id": NO_SUCH_ID}, obj=NOWHERE),
        Target(label="no such kind", kwargs={"kind": "nonsense", "subject_id": docs[0].subject_id}, obj=NOWHERE),
    ]


def _certificate_codes(scene):
    """The verification page of each document, by code and by SHA-256 (public: a read for anyone); a
    tampered fingerprint and a code that is none answer 404."""
    targets = []
    for d in _documents():
        obj = Obj(f"the verification page of {d.code}", EVERYONE)
        targets += [Target(label=f"verify {d.code}", kwargs={"code": d.code}, obj=obj, read=True),
                    Target(label=f"verify {d.code} by hash", kwargs={"code": d.sha256}, obj=obj, read=True)]
        tampered = d.sha256[:-1] + ("0" if d.sha256[-1] != "0" else "1")
        targets.append(Target(label=f"a tampered hash of {d.code}", kwargs={"code": tampered}, obj=NOWHERE))
    return targets + [Target(label="a code that is none", kwargs={"code": "AAAA-BBBB-CCCC-DDDD"}, obj=NOWHERE)]


CERTIFICATE_ROUTES = {
    "certificate-pdf": GET_ONLY(fill=_certificate_pdfs, post=_nothing),
    "certificate-verify": GET_ONLY(fill=_certificate_codes, post=_nothing),
}


# --- Renewals of crediting periods (projects.renewals) -----------------------------------------

def _renewals_build(scene, world):
    """One renewal of ama's registered activity, under validation by Orbis (otto), not published:
    seen by its participants, its DOE, the host's DNA (dina), the secretariat and the SB. Written
    directly (the scene's activity has no host approval of renewal): a fixture row, as a factory."""
    from projects.renewals.models import RenewalRequest

    activity = scene.sides[0].registered
    renewal = RenewalRequest.objects.create(
        activity=activity, number=1, previous_start=activity.crediting_start, previous_end=activity.crediting_end,
        new_start=activity.crediting_end + datetime.timedelta(days=1),
        new_end=activity.crediting_end + datetime.timedelta(days=5 * 365), validation_doe=world.orgs["doe2"],
        baseline_update="Matrix renewal baseline (secret)", estimated_annual=40_000,
        window_opens=activity.crediting_end - datetime.timedelta(days=270),
        window_closes=activity.crediting_end + datetime.timedelta(days=365), state_entered_at=timezone.now())
    scene.renewals = [renewal]
    scene.objs[("RenewalRequest", renewal.pk)] = Obj(
        "ama's renewal under validation", frozenset({"ama", "otto", "dina", "sam", "sofia"}),
        {"ama": AP, "otto": DOE, "dina": DNA}, markers=("Matrix renewal baseline (secret)",))


def renewal_routes(*, read=False, names=False):
    """A route of one renewal: the scene's, and one that is none (transition_routes' filler)."""
    from projects.renewals.machine import RENEWAL_MACHINE

    return transition_routes(read=read, names=names, table=RENEWAL_MACHINE.writes, rows="renewals",
                             none="no such renewal")


def _renewal_open_routes(scene):
    """Opening a renewal: the participants of an activity or a PoA, the DOE of a CP."""
    kind = lambda k: lambda scene, row: [("", {"kind": k}, None)]  # noqa: E731
    return [*activity_routes(_roles(AP), extra=kind("project"))(scene), *poa_routes(_roles(AP), extra=kind("poa"))(scene),
            *cp_routes(_roles(DOE), extra=kind("cp"))(scene)]


def _renewal_post(kwargs, scene, persona):
    name = kwargs.get("name", "")
    return {f"w-{name}-comment": "Matrix", "renewal-validation_doe": scene.world.orgs["doe2"].pk,
            "renewal-baseline_update": "Matrix", "renewal-estimated_annual": "40000",
            "renewal-design": f.pdf("matrix-renewal.pdf"), "renewal-report": f.pdf("matrix-renewal-vr.pdf")}


RENEWAL_ROUTES = {
    "renewal-detail": Spec(fill=renewal_routes(read=True), post=_nothing),
    "renewal-act": POST_ONLY(fill=renewal_routes(names=True), post=_renewal_post),
    "renewal-open": POST_ONLY(fill=_renewal_open_routes, post=_renewal_post),
}



# --- The REST API (pacm/api, projects/api_routes.py; pacm issue 9): the web's rules, read as JSON ---------

def _api_tokens(scene):
    """ama's token: only she may revoke it; and a token id that does not exist."""
    token = scene.api_token  # made by scene_build: making it in a run would change the event log
    mine = Obj("ama's API token", frozenset({"ama"}), ties={"ama": AP})
    return [Target(label=mine.label, kwargs={"token_id": token.pk}, obj=mine, roles=frozenset({AP})),
            Target(label="no such token", kwargs={"token_id": NO_SUCH_ID}, obj=NOWHERE, roles=frozenset({AP}))]


def _mrv_keys(scene, activity):
    """ama's signing key: hers to revoke under her registered activity's URL, no one's under another's;
    and a key id that is none."""
    key = scene.mrv_key
    own = activity is not None and activity.pk == key.activity_id
    return [(" /ama's MRV key", {"key_id": key.key_id}, None if own else NOWHERE),
            (ONCE + " /no such MRV key", {"key_id": "mrv_0000000000000000"}, NOWHERE)]


def _api_block_ids(scene):
    return [Target(label="no such block", kwargs={"block_id": NO_SUCH_ID}, obj=NOWHERE, read=True)]


API_MOVES = {"transfer_units": "transfer", "use_units": "use", "cancel_units": "cancel"}


def _api_account_moves(scene):
    """Each account of the scene (and one that does not exist) x each move the API takes."""
    import dataclasses

    return [dataclasses.replace(t, label=f"{t.label} /{name}", kwargs={**t.kwargs, "name": name})
            for t in account_routes()(scene) for name in API_MOVES]


def _api_move_post(kwargs, scene, persona):
    """The web form's fields (`_move_post`) as the API's inputs."""
    prefix = API_MOVES[kwargs["name"]]
    return {"inputs": {k.removeprefix(f"{prefix}-"): v for k, v in _move_post(prefix)(kwargs, scene, persona).items()}}


API = "api-v1:"
API_ROUTES = {
    "api-v1:api-root": GET_ONLY(page=True, post=_nothing),
    "api-v1:openapi-json": GET_ONLY(page=True, post=_nothing),
    "api-v1:openapi-view": GET_ONLY(page=True, post=_nothing),
    "api-v1:me": GET_ONLY(page=True, post=_nothing),
    "api-v1:activities": GET_ONLY(page=True, post=_nothing),
    "api-v1:activity": GET_ONLY(fill=activity_routes(_roles(), read=True), post=_nothing),
    "api-v1:activity_events": GET_ONLY(fill=activity_routes(_roles(), read=True), post=_nothing),
    "api-v1:activity_periods": GET_ONLY(fill=activity_routes(_roles(), read=True), post=_nothing),
    "api-v1:activity_actions": GET_ONLY(fill=activity_routes(_roles(), read=True), post=_nothing),
    "api-v1:activity_act": POST_ONLY(fill=activity_routes(_transition_roles(ACTIVITY_BY_NAME),
                                                          extra=_names(ACTIVITY_BY_NAME)), post=_nothing),
    "api-v1:period_actions": GET_ONLY(fill=period_routes(_roles(), read=True), post=_nothing),
    "api-v1:period_act": POST_ONLY(fill=period_routes(_transition_roles(PERIOD_BY_NAME), extra=_period_names),
                                   post=_nothing),
    "api-v1:totals": GET_ONLY(page=True, post=_nothing),
    "api-v1:issuances": GET_ONLY(page=True, post=_nothing),
    "api-v1:blocks": GET_ONLY(page=True, post=_nothing),
    "api-v1:block": GET_ONLY(fill=_api_block_ids, post=_nothing),
    "api-v1:accounts": GET_ONLY(page=True, post=_nothing),
    "api-v1:account": GET_ONLY(fill=account_routes(read=True), post=_nothing),
    "api-v1:statement": GET_ONLY(fill=account_routes(read=True), post=_nothing),
    "api-v1:account_actions": GET_ONLY(fill=account_routes(read=True), post=_nothing),
    "api-v1:account_act": POST_ONLY(fill=_api_account_moves, post=_api_move_post),
    "api-v1:document_upload": POST_ONLY(fill=activity_routes(_roles(AP, DOE, DNA)), post=lambda kw, s, p: {
        k.removeprefix("upload-"): v for k, v in _upload_post(kw, s, p).items()}),
    "api-v1:poa_actions": GET_ONLY(fill=poa_routes(_roles(), read=True), post=_nothing),
    "api-v1:poa_act": POST_ONLY(fill=poa_routes(_transition_roles(POA_BY_NAME), extra=_poa_names), post=_nothing),
    "api-v1:cp_actions": GET_ONLY(fill=cp_routes(_roles(), read=True), post=_nothing),
    "api-v1:cp_act": POST_ONLY(fill=cp_routes(_transition_roles(CP_BY_NAME), extra=_cp_names), post=_nothing),
    "api-v1:transition_actions": GET_ONLY(fill=transition_routes(read=True), post=_nothing),
    "api-v1:transition_act": POST_ONLY(fill=transition_routes(names=True), post=_nothing),
    # pacm issue 9: a renewal's writes through the API (projects/api_subjects.py), as renewal-act.
    "api-v1:renewal_actions": GET_ONLY(fill=renewal_routes(read=True), post=_nothing),
    "api-v1:renewal_act": POST_ONLY(fill=renewal_routes(names=True), post=_nothing),
    "api-v1:observed_event_actions": GET_ONLY(fill=event_routes(_roles(), read=True), post=_nothing),
    "api-v1:observed_event_act": POST_ONLY(fill=event_routes(_transition_roles(EVENT_TABLE), extra=_event_names),
                                           post=_nothing),
    "api-v1:report_due_actions": GET_ONLY(fill=activity_routes(_roles(), read=True, extra=lambda scene, a: [
        (" /report due 77", {"number": 77}, NOWHERE)]), post=_nothing),
    "api-v1:report_due_act": POST_ONLY(fill=activity_routes(_transition_roles(DUE_BY_NAME), extra=_dues),
                                       post=_nothing),
    "api-tokens": Spec(page=True, post=_nothing),
    "api-token-revoke": POST_ONLY(fill=_api_tokens, post=_nothing),
    # pacm issue 9 (api-dmrv): the monitoring report (multipart), the risk revision's subject, dMRV.
    "api-v1:monitoring_report_submit": POST_ONLY(fill=activity_routes(_roles(AP)), post=_monitoring_report_post),
    "api-v1:risk_assessment_actions": GET_ONLY(fill=activity_routes(_roles(), read=True, extra=lambda scene, a: [
        (" /risk assessment 77", {"number": 77}, NOWHERE)]), post=_nothing),
    "api-v1:risk_assessment_act": POST_ONLY(fill=activity_routes(_roles(), extra=lambda scene, a: [
        (" /risk assessment 77 /submit_revision", {"number": 77, "name": "submit_revision"}, NOWHERE)]),
        post=_nothing),
    "api-v1:mrv_key_register": POST_ONLY(fill=activity_routes(_roles(AP)), post=_nothing),
    "api-v1:readings_post": POST_ONLY(fill=period_routes(_roles(AP)), post=_readings_post),
    # pacm issue 9 (api-complete): the writes that take a file, as multipart on .../actions/{name}/upload,
    # each filled as its subject's POST .../actions/{name}; the stress test's and the Party's subjects.
    "api-v1:activity_upload": POST_ONLY(fill=activity_routes(_transition_roles(ACTIVITY_BY_NAME),
                                                             extra=_names(ACTIVITY_BY_NAME)), post=_nothing),
    "api-v1:period_upload": POST_ONLY(fill=period_routes(_transition_roles(PERIOD_BY_NAME), extra=_period_names),
                                      post=_nothing),
    "api-v1:observed_event_upload": POST_ONLY(fill=event_routes(_transition_roles(EVENT_TABLE), extra=_event_names),
                                              post=_nothing),
    "api-v1:transition_upload": POST_ONLY(fill=transition_routes(names=True), post=_nothing),
    "api-v1:renewal_upload": POST_ONLY(fill=renewal_routes(names=True), post=_nothing),
    "api-v1:poa_upload": POST_ONLY(fill=poa_routes(_transition_roles(POA_BY_NAME), extra=_poa_names), post=_nothing),
    "api-v1:cp_upload": POST_ONLY(fill=cp_routes(_transition_roles(CP_BY_NAME), extra=_cp_names), post=_nothing),
    "api-v1:stress_test_actions": GET_ONLY(fill=lambda scene: [
        Target(label="no such stress test", kwargs={"pk": NO_SUCH_ID}, obj=NOWHERE, read=True)], post=_nothing),
    "api-v1:stress_test_act": POST_ONLY(fill=lambda scene: [
        Target(label="no such stress test /run_stress_test", kwargs={"pk": NO_SUCH_ID, "name": "run_stress_test"},
               obj=NOWHERE)], post=_nothing),
    "api-v1:party_actions": GET_ONLY(fill=lambda scene: [
        Target(label="no such Party", kwargs={"iso2": "ZZ"}, obj=NOWHERE, read=True)], post=_nothing),
    "api-v1:party_act": POST_ONLY(fill=lambda scene: [
        Target(label="no such Party /open_account", kwargs={"iso2": "ZZ", "name": "open_account"}, obj=NOWHERE)],
        post=_nothing),
}

ROUTES = {
    # Pages without an object in the URL.
    "login": Spec(page=True, post=_login_post),
    "logout": Spec(page=True, post=_nothing),
    # pacm issue 9: the header's language switch (an empty POST changes nothing; tests/i18n post real ones).
    "set_language": Spec(page=True, post=_nothing),
    "registry-public": Spec(page=True, post=_nothing),
    "dashboard": Spec(page=True, post=_nothing),
    "activity-create": Spec(page=True, post=_activity_create_post),
    "registry-units": Spec(page=True, post=_nothing),
    # A6.4-STAN-METH-002 para 54: the buffer pool's composition is published, to anyone.
    "registry-buffer-pool": Spec(page=True, post=_nothing),
    "registry-buffer-pool-csv": Spec(page=True, post=_nothing),
    # pacm issue 9: the public registry as buyers use it (pacm/registry/public_views.py), to anyone.
    "registry-serials": Spec(page=True, post=_nothing),
    "registry-blocks": Spec(page=True, post=_nothing),
    "registry-issuances": Spec(page=True, post=_nothing),
    "registry-uses": Spec(page=True, post=_nothing),
    "registry-totals": Spec(page=True, post=_nothing),
    "registry-accounts": Spec(page=True, post=_nothing),
    "registry-account-open": Spec(page=True, post=_account_open_post, skip=frozenset({"sam"})),
    # A person's own notifications: the list, read all, the e-mail preference (each person's own).
    "notifications": Spec(page=True, post=_nothing),
    "notifications-read-all": Spec(page=True, post=_nothing),
    "notification-preference": Spec(page=True, post=_nothing),
    "notification-open": POST_ONLY(fill=_notifications, post=_nothing),
    # The Supervisory Body's decisions: the secretariat records or opens them, members vote.
    "board-activity-record": POST_ONLY(fill=activity_routes(_roles(SEC)), post=_board_post),
    "board-activity-open": POST_ONLY(fill=activity_routes(_roles(SEC)), post=_board_post),
    "board-period-record": POST_ONLY(fill=period_routes(_roles(SEC)), post=_board_post),
    "board-period-open": POST_ONLY(fill=period_routes(_roles(SEC)), post=_board_post),
    "board-vote": POST_ONLY(fill=_decisions, post=_vote_post),
    # The Board panel of the later kinds (projects/board/pages.py), here on the scene's transition requests:
    # the secretariat records or opens the decision, nobody else.
    "board-subject-record": POST_ONLY(fill=lambda scene: [
        replace(t, kwargs={**t.kwargs, "kind": "transition"}, roles=frozenset({Role.SECRETARIAT}))
        for t in transition_routes()(scene)], post=_board_post),
    "board-subject-open": POST_ONLY(fill=lambda scene: [
        replace(t, kwargs={**t.kwargs, "kind": "transition"}, roles=frozenset({Role.SECRETARIAT}))
        for t in transition_routes()(scene)], post=_board_post),
    # The global stakeholder consultation: anyone comments while it is open (no activity of the
    # scene is in consultation, so every comment is refused), the participants answer and the DOE
    # assesses during the consultation and validation (the scene's comment is on a registered
    # activity: refused to all); a confirmation link opens for anyone who has it.
    "consultation-comment": POST_ONLY(fill=activity_routes(_roles()), post=_comment_post),
    "consultation-answer": POST_ONLY(fill=activity_routes(_roles(AP), extra=_comment_numbers),
                                     post=_comment_reply_post),
    "consultation-assess": POST_ONLY(fill=activity_routes(_roles(DOE), extra=_comment_numbers),
                                     post=_comment_reply_post),
    "consultation-confirm": Spec(fill=_confirm_tokens, post=_nothing),
    # The consultation on a PoA-DD and on a transition request (issue 7, third round): no PoA or
    # request of the scene is in consultation and none has a comment, so all are refused.
    "poa-consultation-comment": POST_ONLY(fill=poa_routes(_roles()), post=_comment_post),
    "poa-consultation-answer": POST_ONLY(fill=poa_routes(_roles(), extra=_comment_numbers), post=_comment_reply_post),
    "poa-consultation-assess": POST_ONLY(fill=poa_routes(_roles(), extra=_comment_numbers), post=_comment_reply_post),
    "transition-consultation-comment": POST_ONLY(fill=transition_routes(), post=_comment_post),
    "transition-consultation-answer": POST_ONLY(fill=lambda scene: [
        replace(t, kwargs={**t.kwargs, "number": 1}) for t in transition_routes()(scene)], post=_comment_reply_post),
    # CDM transition requests (projects.transition).
    "transition-list": Spec(page=True, post=_nothing),
    "transition-create": Spec(page=True, post=_transition_create_post),
    "transition-detail": Spec(fill=transition_routes(read=True), post=_nothing),
    "transition-act": POST_ONLY(fill=transition_routes(names=True), post=_transition_act_post),
    # One activity.
    "activity-detail": Spec(fill=activity_routes(_roles(), read=True), post=_nothing),
    "activity-edit": Spec(fill=activity_routes(_roles(AP)), post=lambda kw, s, p: _pdd_post(s)),
    "activity-transition": POST_ONLY(fill=activity_routes(_transition_roles(ACTIVITY_BY_NAME),
                                                          extra=_names(ACTIVITY_BY_NAME)),
                                     post=lambda kw, s, p: _transition_post(kw, s)),
    "activity-engage-doe": POST_ONLY(fill=activity_routes(_roles(AP)), post=_engage_post),
    "document-upload": POST_ONLY(fill=activity_routes(_roles(AP, DOE, DNA)), post=_upload_post),
    "document-download": GET_ONLY(fill=activity_routes(_roles(), read=True, extra=_versions), post=_nothing),
    "finding-raise": POST_ONLY(fill=activity_routes(_roles(DOE)), post=_finding_raise_post),
    "finding-act": POST_ONLY(fill=activity_routes(_finding_roles, extra=_findings), post=_finding_act_post("number")),
    "host-approval-issue": POST_ONLY(fill=activity_routes(_roles(DNA)), post=_host_post),
    "authorization-statement-issue": POST_ONLY(fill=activity_routes(_roles(DNA)), post=_authorization_post),
    "fee-record-payment": POST_ONLY(fill=activity_routes(_roles(SEC), extra=_fees), post=_fee_post),
    "risk-revision-act": POST_ONLY(fill=activity_routes(_risk_roles, extra=_risk_writes), post=_risk_post),
    # Observed events and report due dates (A6.4-STAN-METH-002 v01.0 paras 21-25, 43-58).
    "observed-event-notify": POST_ONLY(fill=activity_routes(_roles(AP)), post=_observed_event_post),
    "observed-event-detail": Spec(fill=event_routes(_roles(), read=True), post=_nothing),
    "observed-event-write": POST_ONLY(fill=event_routes(_transition_roles(EVENT_TABLE), extra=_event_names),
                                      post=_event_write_post),
    "report-due-write": POST_ONLY(fill=activity_routes(_transition_roles(DUE_BY_NAME), extra=_dues),
                                  post=lambda kw, s, p: {f"w-{kw['name']}-comment": "Matrix"}),
    # Post-crediting monitoring of removals (A6.4-STAN-METH-002 v01.0 para 28; projects.removals).
    "termination-request": POST_ONLY(fill=activity_routes(_roles(AP)), post=lambda kw, s, p: {
        "termination-ground": "negligible_risk", "termination-demonstration": "Matrix"}),
    "termination-write": POST_ONLY(fill=activity_routes(_termination_roles, extra=_terminations),
                                   post=lambda kw, s, p: {f"w-{kw['name']}-comment": "Matrix"}),
    # The buffer pool's stress tests (paras 60-61): the secretariat runs them, the SB oversees them.
    "stress-tests": Spec(page=True, post=_stress_post, skip=frozenset({"sam", "sofia"})),
    "stress-test-detail": GET_ONLY(fill=_stress_tests, post=_nothing),
    "period-submit": Spec(fill=activity_routes(_roles(AP)), post=_period_submit_post),
    # One monitoring period.
    "period-detail": Spec(fill=_and(period_routes(_roles(), read=True), batch_routes(_roles(), read=True)), post=_nothing),
    "period-transition": POST_ONLY(fill=_and(period_routes(_transition_roles(PERIOD_BY_NAME), extra=_period_names),
                                             batch_routes(_transition_roles(PERIOD_BY_NAME), extra=_period_names)),
                                   post=lambda kw, s, p: _transition_post(kw, s, period=True)),
    "period-certify": POST_ONLY(fill=_and(period_routes(_roles(DOE)), batch_routes(_roles(DOE))), post=_certify_post),
    "period-request-issuance": POST_ONLY(fill=_and(period_routes(_roles(DOE)), batch_routes(_roles(DOE))),
                                         post=_issuance_post),
    "period-document-upload": POST_ONLY(fill=_and(period_routes(_roles(AP, DOE, DNA)), batch_routes(_roles(AP, DOE, DNA))),
                                        post=_upload_post),
    "period-finding-raise": POST_ONLY(fill=period_routes(_roles(DOE)), post=_finding_raise_post),
    "period-finding-act": POST_ONLY(fill=period_routes(_finding_roles, extra=_period_findings),
                                    post=_finding_act_post("finding_number")),
    "period-fee-record-payment": POST_ONLY(fill=period_routes(_roles(SEC), extra=_period_fees), post=_fee_post),
    # One account.
    "registry-account": Spec(fill=account_routes(read=True), post=_nothing),
    "registry-transfer": POST_ONLY(fill=account_routes(), post=_move_post("transfer")),
    "registry-cancel": POST_ONLY(fill=account_routes(), post=_move_post("cancel")),
    "registry-use": POST_ONLY(fill=account_routes(), post=_move_post("use")),
    **POA_ROUTES,
    # pacm issue 9: exports. The public registry's lists, to anyone; "my activities", each person's own.
    **{f"export-{name}-{fmt}": Spec(page=True, post=_nothing)
       for name in ("public-activities", "public-issuances", "public-blocks", "public-uses", "my-activities")
       for fmt in ("csv", "xlsx")},
    # An account's holdings and statement: its holders only, as the account page.
    **{f"export-account-{name}-{fmt}": GET_ONLY(fill=account_routes(read=True), post=_nothing)
       for name in ("holdings", "statement") for fmt in ("csv", "xlsx")},
    # The AEF (4/CMA.6 annex II): the page refuses whoever reports for no Party; a report, the Party's DNA's.
    "aef-report": Spec(page=True, post=_nothing),
    "aef-download": GET_ONLY(fill=_aef_reports, post=_nothing),
    **CERTIFICATE_ROUTES,
    **RENEWAL_ROUTES,
    **API_ROUTES,
    # The MRV keys page (projects.dmrv.keys_views): the activity's participants only, as the readings.
    "mrv-keys": Spec(fill=activity_routes(_roles(AP)), post=_nothing),
    "mrv-key-revoke": POST_ONLY(fill=activity_routes(_roles(AP), extra=_mrv_keys), post=_nothing),
}


def payload(spec, kwargs, scene, persona):
    """The POST data of `spec` for these kwargs, built afresh (an uploaded file is read once)."""
    return dict(spec.post(kwargs, scene, persona)) if spec.post is not None else {}


def unfilled(routes):
    """The routes `ROUTES` does not declare, each with the message for the developer."""
    problems = []
    for route in routes:
        spec = ROUTES.get(route.key)
        if spec is None:
            problems.append(
                f"route {route.key!r} ({route.pattern}) has no entry in tests/hardening/authz.py ROUTES: add a kwarg "
                f"filler (Spec(fill=...)) for {', '.join(route.kwargs) or 'it'} that names objects each persona must "
                "not see or touch, or Spec(page=True) for a page without an object in its URL"
            )
        elif route.kwargs and spec.fill is None:
            problems.append(f"route {route.key!r} ({route.pattern}) takes {', '.join(route.kwargs)} but its Spec has "
                            "no kwarg filler (fill=...) in tests/hardening/authz.py ROUTES")
    return problems


def url_for(route, kwargs):
    return reverse(route.name, kwargs=kwargs)


# --- Running the matrix ---------------------------------------------------------------------------

@dataclass
class Tally:
    """What one persona's run sent and found."""

    requests: int = 0
    refused: int = 0
    controls: int = 0  # read routes on objects the persona may see: must answer 200
    routes: set = field(default_factory=set)
    failures: list = field(default_factory=list)


def _sign_in(client, user):
    client.logout()
    if user is not None:
        client.force_login(user)


def _body(response):
    if getattr(response, "streaming", False):
        return ""  # a file download: its bytes are the document itself
    return response.content.decode(errors="replace")


def _to_login(response):
    return response.status_code == 302 and response["Location"].startswith(LOGIN_URL)


class Run:
    def __init__(self, client, scene, persona, media_root):
        self.client, self.scene, self.persona, self.media_root = client, scene, persona, media_root
        self.user = scene.user(persona)
        self.hidden = scene.markers_hidden_from(persona)
        self.tally = Tally()
        _sign_in(client, self.user)
        self.last = snapshot(media_root)

    def fail(self, route, label, method, url, why):
        self.tally.failures.append(f"{self.persona} {method} {url} [{route.key}: {label}]: {why}")

    def send(self, route, label, method, url, data=None):
        """One request; then nothing may have changed (a snapshot after every request, GET or POST)."""
        # The API reads JSON bodies; an upload is multipart.
        if method == "POST" and route.key.startswith(API) and not any(hasattr(v, "read") for v in (data or {}).values()):
            response = self.client.post(url, data or {}, content_type="application/json")
        else:
            response = self.client.post(url, data or {}) if method == "POST" else self.client.get(url)
        self.tally.requests += 1
        self.tally.routes.add(route.key)
        if response.status_code >= 500:
            self.fail(route, label, method, url, f"answered {response.status_code}")
        body = _body(response)
        leaked = [m for m in self.hidden if m in body]
        if leaked:
            self.fail(route, label, method, url, f"answered {response.status_code} showing {leaked}")
        now = snapshot(self.media_root)
        changes = snapshot_diff(self.last, now)
        if changes:
            self.fail(route, label, method, url, f"answered {response.status_code} and changed: {changes}")
        self.last = now
        if route.key == "logout":
            _sign_in(self.client, self.user)
        return response

    def refused(self, route, label, method, url, response):
        """Not theirs: 403, 404, 405, or (anonymous) a redirect to the login page; never a 200."""
        status = response.status_code
        # The API answers the anonymous caller 401 (send a token or log in): its redirect to the login page.
        if status in REFUSED or (self.user is None and (_to_login(response) or (
                status == 401 and route.key.startswith(API)))):
            self.tally.refused += 1
            return
        where = f" to {response['Location']}" if 300 <= status < 400 else ""
        self.fail(route, label, method, url, f"answered {status}{where}, not a refusal")

    def page(self, route, spec):
        url = url_for(route, {})
        self.send(route, "page", "GET", url)
        if self.persona not in spec.skip:
            self.send(route, "page", "POST", url, payload(spec, {}, self.scene, self.persona))

    def targets(self, route, spec):
        probed = False
        for target in spec.fill(self.scene):
            url = url_for(route, target.kwargs)
            if target.allowed(self.persona):
                if target.read:
                    response = self.send(route, target.label, "GET", url)
                    self.tally.controls += 1
                    if response.status_code != 200:
                        self.fail(route, target.label, "GET", url,
                                  f"answered {response.status_code}: the persona may see it (a control)")
                continue
            for method in ("GET", "POST"):
                if method not in spec.methods:
                    if probed:
                        continue
                    probed = True  # the method the route does not serve, once: a 405, whoever asks
                data = payload(spec, target.kwargs, self.scene, self.persona) if method == "POST" else None
                response = self.send(route, target.label, method, url, data)
                if method in spec.methods:
                    self.refused(route, target.label, method, url, response)
                elif response.status_code != 405 and not (self.user is None and _to_login(response)):
                    self.fail(route, target.label, method, url,
                              f"answered {response.status_code}, but ROUTES says the route takes no {method}")

    def all(self, routes):
        for problem in unfilled(routes):
            self.tally.failures.append(problem)
        for route in routes:
            spec = ROUTES.get(route.key)
            if spec is None or (route.kwargs and spec.fill is None):
                continue
            if spec.page:
                self.page(route, spec)
            else:
                self.targets(route, spec)
        return self.tally


def matrix_run(client, scene, persona, media_root):
    """Every route of the site, for one persona, against the objects that are not theirs (the API's
    rate limit off: the matrix sends hundreds of requests a minute; tests/api/test_ratelimit.py has it)."""
    from django.test import override_settings

    with override_settings(PACM_API_RATE_PER_MINUTE=0):
        return Run(client, scene, persona, media_root).all(site_routes())


# --- The admin: its changelists and object pages, a matrix apart ------------------------------------

# Written only by the services (one write path): the admin shows them and changes none, not even
# for the superuser. The others are reference data the superuser keeps.
ADMIN_READ_ONLY_APPS = {"board", "events", "projects", "registry"}
ADMIN_EDITABLE = {"auth.group", "auth.user", "methodologies.methodology", "methodologies.ruleset",
                  "methodologies.sectoralscope", "parties.membership", "parties.organisation", "parties.party",
                  # django-axes: the login lockouts, which the registry's operator may lift.
                  "axes.accessattempt", "axes.accessfailurelog", "axes.accesslog"}
ADMIN_LOGIN_URL = "/admin/login/"


def admin_undeclared():
    problems = []
    for model in admin_models():
        label = model._meta.label_lower
        if model._meta.app_label not in ADMIN_READ_ONLY_APPS and label not in ADMIN_EDITABLE:
            problems.append(f"admin model {label!r} is in neither ADMIN_READ_ONLY_APPS nor ADMIN_EDITABLE in "
                            "tests/hardening/authz.py: say whether the admin may change it")
    return problems


def admin_pages(model):
    """(page, url) for the model's changelist and add page, and its first row's change, delete, history.

    The delete page lists every row that points at this one, through every model the app registry
    knows: a model another test module defines without a table (tests/engine's throwaway machine)
    would break it, so that page is left out while such a model is registered."""
    from django.db import connection

    opts = model._meta
    base = f"admin:{opts.app_label}_{opts.model_name}"
    pages = [("changelist", reverse(f"{base}_changelist")), ("add", reverse(f"{base}_add"))]
    first = model._default_manager.order_by("pk").values_list("pk", flat=True).first()
    if first is not None:
        tables = set(connection.introspection.table_names())
        from django.db.models.deletion import get_candidate_relations_to_delete

        pointing = {rel.related_model._meta.db_table for rel in get_candidate_relations_to_delete(opts)}
        shown = ("change", "delete", "history") if pointing <= tables else ("change", "history")
        pages += [(page, reverse(f"{base}_{page}", args=[first])) for page in shown]
    return pages


class AdminRun(Run):
    """The admin for one user: `expect(model, page, method)` gives the statuses allowed, or None (not sent)."""

    def __init__(self, client, scene, persona, media_root, user=None, sees_as=None):
        """`user`: a staff user to sign in instead of the persona; `sees_as`: the persona whose view
        of the objects it has (None: everything, the superuser)."""
        super().__init__(client, scene, persona, media_root)
        if user is not None:
            self.user = user
            _sign_in(client, user)
            self.hidden = scene.markers_hidden_from(sees_as) if sees_as else []

    def admin(self, expect):
        for model in admin_models():
            for page, url in admin_pages(model):
                for method in ("GET", "POST"):
                    allowed = expect(model, page, method)
                    if allowed is None:
                        continue
                    route = Route(name=f"admin:{model._meta.label_lower}_{page}", pattern=url, kwargs=())
                    data = {"post": "yes"} if method == "POST" else None
                    response = self.send(route, model._meta.label_lower, method, url, data)
                    if allowed == "login":
                        if not (response.status_code == 302
                                and response["Location"].startswith(ADMIN_LOGIN_URL)):
                            self.fail(route, page, method, url, f"answered {response.status_code}, not the admin login")
                        else:
                            self.tally.refused += 1
                    elif response.status_code not in allowed:
                        self.fail(route, page, method, url, f"answered {response.status_code}, expected {allowed}")
                    elif response.status_code == 403:
                        self.tally.refused += 1
        return self.tally

# pacm issue 9: the people pages and the demo clock (tests/hardening/authz_people.py).
from .authz_people import PEOPLE_ROUTES  # noqa: E402  (it reads the helpers above)

ROUTES.update(PEOPLE_ROUTES)
