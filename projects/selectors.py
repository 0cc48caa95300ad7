"""Reads: what each user may see, and what waits for their action. Deny by default."""
from django.contrib.auth import get_user_model
from django.db.models import Q

from pacm.parties.models import Organisation
from pacm.parties.roles import ORG_KIND_ROLE_REVERSE, Role

from .cycle import ActivityState as A
from .cycle import PeriodState as P
from .models import Activity, MonitoringPeriod

# The public sees an activity once its PDD is published for consultation (rules.md §2.3 S2->S3).
PRIVATE_STATES = (A.DRAFT, A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, A.WITHDRAWN)
# The secretariat and the SB see everything but the participants' unsent drafts.
MECHANISM_HIDDEN = (A.DRAFT,)


def public_activities():
    return Activity.objects.exclude(state__in=PRIVATE_STATES)


def activities_visible_to(user):
    """Public activities, plus those the user's organisations are tied to."""
    qs = Activity.objects.all()
    if user is None or not user.is_authenticated:
        return qs.exclude(state__in=PRIVATE_STATES)
    kinds = set(Organisation.objects.filter(memberships__user=user).values_list("kind", flat=True))
    visible = ~Q(state__in=PRIVATE_STATES)
    if kinds & {Organisation.Kind.SECRETARIAT, Organisation.Kind.SB}:
        visible |= ~Q(state__in=MECHANISM_HIDDEN)
    if Organisation.Kind.PARTICIPANT in kinds:
        visible |= Q(participants__memberships__user=user)
    if Organisation.Kind.DOE in kinds:
        visible |= Q(validation_doe__memberships__user=user) | Q(verification_doe__memberships__user=user)
    if Organisation.Kind.DNA in kinds:
        visible |= Q(host_party__organisations__kind=Organisation.Kind.DNA, host_party__organisations__memberships__user=user) & ~Q(state=A.DRAFT)
    return qs.filter(visible).distinct()


def activity_detail_queryset():
    return Activity.objects.select_related(
        "host_party", "methodology_version__methodology", "sectoral_scope", "validation_doe", "verification_doe"
    )


# Which role acts next in each state: the dashboard queue and the notification list.
ACTIVITY_NEXT = {
    A.DRAFT: Role.PARTICIPANT,
    A.PRIOR_CONSIDERATION: Role.DOE,
    A.VALIDATION_CONTRACTED: Role.DOE,
    A.UNDER_VALIDATION: Role.DOE,
    A.VALIDATED: Role.DOE,
    A.REQUEST_INCOMPLETE: Role.DOE,
    A.REGISTRATION_REQUESTED: Role.SECRETARIAT,
    A.COMPLETENESS_CHECK: Role.SECRETARIAT,
    A.INFORMATION_CHECK: Role.SECRETARIAT,
    A.REVIEW_WINDOW: Role.SB,
    A.UNDER_SB_REVIEW: Role.SB,
}
PERIOD_NEXT = {
    P.SUBMITTED: Role.DOE,
    P.UNDER_VERIFICATION: Role.DOE,
    P.VERIFIED: Role.DOE,
    P.ISSUANCE_INCOMPLETE: Role.DOE,
    P.ISSUANCE_REQUESTED: Role.SECRETARIAT,
    P.ISSUANCE_CHECKS: Role.SECRETARIAT,
    P.ISSUANCE_REVIEW_WINDOW: Role.SB,
    P.ISSUANCE_UNDER_SB_REVIEW: Role.SB,
}


def _role_filter(user, role, kinds, prefix=""):
    """Activities (or periods, with prefix 'activity__') on which `user` holds `role`.

    `kinds` is the set of the user's organisation kinds, looked up once by the caller.
    """
    if role == Role.PARTICIPANT:
        return Q(**{f"{prefix}participants__memberships__user": user})
    if role == Role.DOE:
        return Q(**{f"{prefix}validation_doe__memberships__user": user}) if not prefix else Q(
            **{f"{prefix}verification_doe__memberships__user": user}
        )
    if role == Role.DNA:
        return Q(**{f"{prefix}host_party__organisations__memberships__user": user,
                    f"{prefix}host_party__organisations__kind": Organisation.Kind.DNA})
    if role in (Role.SECRETARIAT, Role.SB) and ORG_KIND_ROLE_REVERSE[role] in kinds:
        return Q()
    return None


def dashboard_queue(user):
    """What waits for this user's action: activities and periods, with their due dates."""
    kinds = set(Organisation.objects.filter(memberships__user=user).values_list("kind", flat=True))
    activity_q, period_q = Q(pk__in=[]), Q(pk__in=[])
    for state, role in ACTIVITY_NEXT.items():
        f = _role_filter(user, role, kinds)
        if f is not None:
            activity_q |= Q(state=state) & f
    for state, role in PERIOD_NEXT.items():
        f = _role_filter(user, role, kinds, prefix="activity__")
        if f is not None:
            period_q |= Q(state=state) & f
    # The DNA's work runs beside the cycle: activities validated or in validation without approval.
    dna = _role_filter(user, Role.DNA, kinds) if Organisation.Kind.DNA in kinds else None
    if dna is not None:
        activity_q |= dna & Q(
            state__in=[A.PRIOR_CONSIDERATION, A.VALIDATION_CONTRACTED, A.CONSULTATION, A.UNDER_VALIDATION, A.VALIDATED],
            host_approvals__isnull=True,
        )
    # Participants answer the DOE's open findings, whatever the activity's state.
    if Organisation.Kind.PARTICIPANT in kinds:
        activity_q |= _role_filter(user, Role.PARTICIPANT, kinds) & Q(findings__status="open")
    activities = (
        activity_detail_queryset().filter(activity_q).distinct().order_by("due_at", "pk")
    )
    periods = (
        MonitoringPeriod.objects.select_related("activity", "activity__host_party")
        .filter(period_q)
        .distinct()
        .order_by("due_at", "pk")
    )
    return list(activities), list(periods)


def users_to_notify(*, activity_id, transition):
    """E-mail addresses of the people who act next, with the message to send them."""
    activity = Activity.objects.get(pk=activity_id)
    role = ACTIVITY_NEXT.get(activity.state)
    users = get_user_model().objects.none()
    if role is not None:
        f = _role_filter_users(activity, role)
        users = get_user_model().objects.filter(f).exclude(email="").distinct()
    recipients = sorted(set(users.values_list("email", flat=True)))
    subject = f"[pacm] {activity.reference}: {transition.label if transition else 'update'}"
    body = f"{activity.reference} {activity.title} is now {activity.get_state_display().lower()}."
    return recipients, subject, body


def _role_filter_users(activity, role):
    if role == Role.PARTICIPANT:
        return Q(memberships__organisation__in=activity.participants.all())
    if role == Role.DOE:
        return Q(memberships__organisation_id__in=list(activity.engaged_doe_ids()))
    if role == Role.DNA:
        return Q(memberships__organisation__kind=Organisation.Kind.DNA,
                 memberships__organisation__party_id=activity.host_party_id)
    return Q(memberships__organisation__kind=ORG_KIND_ROLE_REVERSE[role])


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
        .filter(pk__in=activities_visible_to(user).values("pk"), reference=reference)
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
            Prefetch(
                "fees", queryset=Fee.objects.select_related("rule_set", "monitoring_period").order_by("assessed_at")
            ),
            Prefetch(
                "documents",
                queryset=Document.objects.select_related("monitoring_period")
                .prefetch_related(Prefetch("versions", queryset=versions))
                .order_by("kind", "pk"),
            ),
            Prefetch(
                "findings",
                queryset=Finding.objects.select_related("raised_by", "monitoring_period").order_by("number"),
            ),
        )
        .get()
    )


def activity_timeline(activity):
    """The activity's whole event stream, oldest first, with who acted through which organisation."""
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


def activities_of_user(user):
    """The activities the user's organisations are tied to: as participant, engaged DOE or host DNA."""
    mine = Activity.objects.filter(
        Q(participants__memberships__user=user, participants__kind=Organisation.Kind.PARTICIPANT)
        | Q(validation_doe__memberships__user=user)
        | Q(verification_doe__memberships__user=user)
        | (Q(host_party__organisations__memberships__user=user, host_party__organisations__kind=Organisation.Kind.DNA)
           & ~Q(state=A.DRAFT))
    ).values("pk")
    return activity_detail_queryset().filter(pk__in=mine).order_by("-created_at")


def fees_due():
    """Fees assessed and not yet paid or waived: the secretariat records their payment."""
    from .models import Fee

    return (
        Fee.objects.filter(status=Fee.Status.DUE)
        .select_related("activity", "activity__host_party", "monitoring_period")
        .order_by("assessed_at", "pk")
    )


def activity_roles(*, user, activity):
    """{role: Actor} for each role `user` holds on `activity` now, through pacm.parties.roles."""
    from pacm.parties.roles import actor_for

    roles = {}
    for role in (Role.PARTICIPANT, Role.DOE, Role.DNA, Role.SECRETARIAT, Role.SB):
        actor = actor_for(user, activity, {role})
        if actor is not None:
            roles[role] = actor
    return roles


# --- Monitoring periods, issuance and reversals (issue 3) -----------------------------------


def period_page_get(*, user, reference, number):
    """The monitoring period with what its page shows, if `user` may see its activity.

    Raises MonitoringPeriod.DoesNotExist both when there is none and when the activity is
    hidden from this user (same visibility as the activity page).
    """
    from django.db.models import Prefetch

    from .models import Document, DocumentVersion, Fee, Finding

    versions = DocumentVersion.objects.select_related("uploaded_by", "organisation").order_by("-number")
    return (
        MonitoringPeriod.objects.select_related(
            "activity__host_party", "activity__methodology_version__methodology", "activity__sectoral_scope",
            "activity__validation_doe", "activity__verification_doe", "issuance__rule_set",
        )
        .filter(activity__in=activities_visible_to(user).values("pk"), activity__reference=reference, number=number)
        .prefetch_related(
            "claims",
            Prefetch(
                "documents",
                queryset=Document.objects.prefetch_related(Prefetch("versions", queryset=versions)).order_by(
                    "kind", "pk"
                ),
            ),
            Prefetch("findings", queryset=Finding.objects.select_related("raised_by").order_by("number")),
            Prefetch("fees", queryset=Fee.objects.select_related("rule_set").order_by("assessed_at")),
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
    return list(activity.monitoring_periods.prefetch_related("claims").order_by("-number"))


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
