"""Reads: what each user may see, and what waits for their action. Deny by default."""
from django.db.models import Q

from pacm.parties.models import Organisation
from pacm.parties.roles import Role, Tie, tie_q, user_kinds

from .cycle import ActivityState as A
from .cycle import PeriodState as P
from .models import Activity, MonitoringPeriod

# The public sees an activity once its PDD is published for consultation (rules.md §2.3 S2->S3).
PRIVATE_STATES = (A.DRAFT, A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, A.WITHDRAWN)
# The secretariat and the SB see everything but the participants' unsent drafts.
MECHANISM_HIDDEN = (A.DRAFT,)

K = Organisation.Kind
# Who sees a non-public activity: its participants, either DOE it engaged, the host's DNA once it
# is no longer a draft, and the secretariat and SB unless it is a draft. The same tie resolver
# as permissions (pacm.parties.roles), with visibility's own ties.
VISIBILITY_TIES = (
    Tie(Role.PARTICIPANT, K.PARTICIPANT, "participants"),
    Tie(Role.DOE, K.DOE, "validation_doe"),
    Tie(Role.DOE, K.DOE, "verification_doe"),
    Tie(Role.DNA, K.DNA, "host_party", via_party=True, when=~Q(state__in=MECHANISM_HIDDEN)),
    Tie(Role.SECRETARIAT, K.SECRETARIAT, when=~Q(state__in=MECHANISM_HIDDEN)),
    Tie(Role.SB, K.SB, when=~Q(state__in=MECHANISM_HIDDEN)),
)
# "My activities": the same ties less the mechanism-wide ones.
MINE_TIES = VISIBILITY_TIES[:4]


def public_activities():
    return Activity.objects.exclude(state__in=PRIVATE_STATES)


def activities_visible_to(user, *, kinds=None):
    """Public activities, plus those the user's organisations are tied to (EXISTS per tie; `kinds`,
    from user_kinds, leaves out the ties of kinds the user has no organisation of)."""
    public = ~Q(state__in=PRIVATE_STATES)
    if user is None or not user.is_authenticated:
        return Activity.objects.filter(public)
    return Activity.objects.filter(public | tie_q(user, Activity, ties=VISIBILITY_TIES, kinds=kinds))


def activity_detail_queryset():
    return Activity.objects.select_related(
        "host_party", "methodology_version__methodology", "sectoral_scope", "validation_doe", "verification_doe"
    )


def dashboard_queue(user, *, kinds=None):
    """What waits for this user's action, from the machines' declarations (pacm.engine.offers).

    `kinds` (user_kinds, asked once if not given) keeps only the ties the user can hold (issue 8)."""
    from pacm.engine.offers import waiting_q
    from pacm.parties.roles import user_kinds

    from .machines import ACTIVITY, PERIOD

    kinds = user_kinds(user) if kinds is None else kinds
    activities = (
        activity_detail_queryset().filter(waiting_q(user, ACTIVITY, kinds=kinds))
        .filter(pk__in=activities_visible_to(user, kinds=kinds).values("pk"))
        .order_by("due_at", "pk")
    )
    periods = (
        MonitoringPeriod.objects.select_related("activity", "activity__host_party")
        .filter(waiting_q(user, PERIOD, kinds=kinds))
        .order_by("due_at", "pk")
    )
    return activities, periods


# --- Reads for the web pages (projects/views) ----------------------------------------------
# Each page loads its rows in a fixed number of queries, whatever the number of documents,
# versions, findings or events (no N+1).


def activity_page_get(*, user, reference):
    """The activity with everything its page shows, if `user` may see it (deny by default).

    Raises Activity.DoesNotExist both when there is no such activity and when this user may not
    see it, so a page never reveals that a hidden activity exists.
    """
    from django.db.models import Prefetch

    from .models import AuthorizationStatement, Document, DocumentVersion, Fee, Finding, HostApproval

    versions = DocumentVersion.objects.select_related("uploaded_by", "organisation").order_by("-number")
    return (
        activity_detail_queryset()
        # pacm issue 8: only the ties the user can hold (one query for the kinds of their organisations).
        .filter(pk__in=activities_visible_to(user, kinds=user_kinds(user)).values("pk"), reference=reference)
        .prefetch_related(
            Prefetch("participants", queryset=Organisation.objects.order_by("name")),
            Prefetch(
                "host_approvals",
                queryset=HostApproval.objects.select_related("dna")
                .prefetch_related(Prefetch("authorized_participants", queryset=Organisation.objects.order_by("name")))
                .order_by("-version"),
            ),
            Prefetch(
                "authorization_statements",
                queryset=AuthorizationStatement.objects.select_related("dna").order_by("-version"),
            ),
            # pacm issue 8: the activity's own fees, documents and findings; each monitoring period's
            # are on its page, so this page does not grow with the periods.
            Prefetch(
                "fees", queryset=Fee.objects.filter(monitoring_period__isnull=True).select_related(
                    "rule_set", "monitoring_period", "refund").order_by("assessed_at")
            ),
            Prefetch(
                "documents",
                queryset=Document.objects.filter(monitoring_period__isnull=True).select_related("monitoring_period")
                .prefetch_related(Prefetch("versions", queryset=versions))
                .order_by("kind", "pk"),
            ),
            Prefetch(
                "findings",
                queryset=Finding.objects.filter(monitoring_period__isnull=True).select_related(
                    "raised_by", "monitoring_period").order_by("number"),
            ),
        )
        .get()
    )


def activity_timeline(activity):
    """The activity's event stream with who acted through which organisation; the page orders and slices it
    by sequence (keyset, the (stream, sequence) index)."""
    from pacm.events.models import Event

    return Event.objects.filter(stream=activity.stream).select_related("actor", "organisation").order_by("sequence")


def document_version_get(*, user, reference, version_id):
    """A document version of an activity `user` may see; DocumentVersion.DoesNotExist otherwise."""
    from .models import DocumentVersion

    return DocumentVersion.objects.select_related("document").get(
        pk=version_id,
        document__activity__reference=reference,
        document__activity__in=activities_visible_to(user).values("pk"),
    )


def activities_of_user(user, *, kinds=None):
    """The activities the user's organisations are tied to: as participant, engaged DOE or host DNA."""
    return activity_detail_queryset().filter(tie_q(user, Activity, ties=MINE_TIES, kinds=kinds)).order_by("-created_at")


def fees_due():
    """Fees assessed and not yet paid or waived: the secretariat records their payment."""
    from .models import Fee

    return (
        Fee.objects.filter(status=Fee.Status.DUE)
        .select_related("activity", "activity__host_party", "monitoring_period")
        .order_by("assessed_at", "pk")
    )


# --- Monitoring periods, issuance and reversals (issue 3) -----------------------------------


def period_page_get(*, user, reference, number):
    """The monitoring period with what its page shows, if `user` may see its activity.

    Raises MonitoringPeriod.DoesNotExist both when there is none and when the activity is
    hidden from this user (same visibility as the activity page).
    """
    from django.db.models import Prefetch

    from .models import Document, DocumentVersion, Fee, Finding
    from .poa.models import ComponentClaim
    from .poa.selectors import poas_visible_to

    versions = DocumentVersion.objects.select_related("uploaded_by", "organisation").order_by("-number")
    # The activity first, by its unique reference, and its visibility asked of that one row; then the
    # period through the (activity, number) key. Filtered on the joined reference and the visible set,
    # PostgreSQL walked every period of the world (266 ms at the full world of `make bench-pages`,
    # pacm issue 8).
    activity_id = Activity._base_manager.filter(reference=reference).values_list("pk", flat=True).first()
    visible = activity_id is not None and (
        activities_visible_to(user, kinds=user_kinds(user)).filter(pk=activity_id).exists()
        or poas_visible_to(user).filter(pk=activity_id).exists()  # a PoA's batch (projects.poa)
    )
    if not visible:
        raise MonitoringPeriod.DoesNotExist
    return (
        MonitoringPeriod.objects.select_related(
            "activity__host_party", "activity__methodology_version__methodology", "activity__sectoral_scope",
            "activity__validation_doe", "activity__verification_doe", "issuance__rule_set",
        )
        .filter(activity_id=activity_id, number=number)
        .prefetch_related(
            "claims",
            Prefetch("cp_claims", queryset=ComponentClaim.objects.select_related("component")
                     .order_by("component__number", "vintage")),
            Prefetch(
                "documents",
                queryset=Document.objects.prefetch_related(Prefetch("versions", queryset=versions)).order_by(
                    "kind", "pk"
                ),
            ),
            Prefetch("findings", queryset=Finding.objects.select_related("raised_by").order_by("number")),
            Prefetch("fees", queryset=Fee.objects.select_related("rule_set", "refund").order_by("assessed_at")),
        )
        .get()
    )


def issuance_lines(request):
    """The distribution lines of an issuance request, with their accounts, in order."""
    return list(request.lines.select_related("account").order_by("position"))


def issuance_forwarded(request):
    """What each receiving account got when the issuance was executed (the ledger's forwarding rows)."""
    from pacm.registry.models import LedgerTransaction, TransactionKind

    return list(
        LedgerTransaction.objects.filter(issuance=request, kind=TransactionKind.FORWARDING)
        .select_related("to_account")
        .order_by("pk")
    )


def period_blocks(period):
    """The serial blocks issued for this period, wherever they are now, in serial order."""
    from pacm.registry.models import UnitBlock

    return (
        UnitBlock.objects.filter(issuance__period=period)
        .select_related("host_party", "activity", "account")
        .order_by("vintage", "serial_start", "pk")
    )


def period_timeline(period):
    """The events of the activity's stream that concern this monitoring period, oldest first."""
    from pacm.events.models import Event

    return (
        Event.objects.filter(stream=period.activity.stream, payload__monitoring_period=period.number)
        .select_related("actor", "organisation")
        .order_by("sequence")
    )


def activity_periods(activity):
    """The activity's monitoring periods with their claims (for totals), newest first."""
    return list(activity_periods_queryset(activity).order_by("-number"))


def activity_periods_queryset(activity):
    """The same, for a page that reads them a page at a time by number (keyset, pacm issue 8)."""
    return activity.monitoring_periods.prefetch_related("claims")


def activity_reversals(activity):
    """The reversals reported for the activity, oldest first, with who reported them."""
    from .models import Reversal

    return list(
        Reversal.objects.filter(activity=activity)
        .select_related("reported_by", "evidence", "evidence__document")
        .order_by("reported_at", "pk")
    )


def participant_holding_accounts(*, user, activity):
    """Holding accounts of the user's organisations that are participants of `activity`."""
    from pacm.registry.models import Account, AccountKind

    return Account.objects.filter(
        kind=AccountKind.HOLDING,
        organisation__in=activity.participants.filter(memberships__user=user),
    ).order_by("number")


def activity_receiving_accounts(activity):
    """Where issued units may be forwarded (RMP 60; 7/CMA.4 annex I para 41): the holding accounts
    of the activity's participants, then the Parties' own holding accounts."""
    from django.db.models import Case, IntegerField, Q, Value, When

    from pacm.registry.models import Account, AccountKind

    return (
        Account.objects.filter(
            Q(organisation__in=activity.participants.all()) | Q(organisation__isnull=True, party__isnull=False),
            kind=AccountKind.HOLDING,
        )
        .annotate(party_account=Case(When(organisation__isnull=True, then=Value(1)), default=Value(0),
                                     output_field=IntegerField()))
        .select_related("organisation", "party")
        .order_by("party_account", "number")
    )


def period_next_start(activity):
    """A suggested start for the next report: the day after the last period that keeps its dates."""
    import datetime

    last = activity.monitoring_periods.exclude(state=P.WITHDRAWN).order_by("-end").first()
    return last.end + datetime.timedelta(days=1) if last else activity.crediting_start


def fee_payment_visible(*, user, activity):
    """Whether `user` may read the payment references of `activity`'s fees: the participants who
    pay them and the secretariat who records them; the public sees that a fee was paid, and when."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    return Organisation.objects.filter(memberships__user=user).filter(
        Q(kind=Organisation.Kind.SECRETARIAT)
        | Q(kind=Organisation.Kind.PARTICIPANT, pk__in=activity.participants.values("pk"))
    ).exists()


def host_approval_authorizing(*, party, organisation):
    """The latest host approval of `party` that authorizes `organisation` as a participant (RMP 41):
    what a participant's holding account rests on (pacm.registry.authorizations)."""
    from .models import HostApproval

    return (
        HostApproval.objects.filter(activity__host_party=party, authorized_participants=organisation)
        .select_related("activity").order_by("-issued_at", "-pk").first()
    )
