"""Guards named in `cycle.py`. Each returns None when it holds, or the message that says why not.

They take the object whose state changes (an Activity or a MonitoringPeriod).
"""

from django.conf import settings
from django.utils import timezone

from methodologies.models import RuleSet

from .models import Activity, Document, Finding

# Guards about an input that the transition's own form supplies (Transition.inputs).
INPUT_GUARDS = {
    "risk_rating_set": "risk_rating",
    "verified_within_claim": "verified",
    "issuance_request_complete": "issuance_request",
}


def _activity(obj):
    return obj if isinstance(obj, Activity) else obj.activity


def _today():
    return timezone.localdate()


def pdd_complete(obj):
    missing = [
        label
        for field, label in (
            ("title", "title"),
            ("location", "location"),
            ("description", "description"),
            ("estimated_annual", "estimated annual reductions or removals"),
        )
        if not getattr(obj, field)
    ]
    if missing:
        return "The PDD is missing: " + ", ".join(missing) + "."
    return None


def host_participates(obj):
    """RMP 26: the host is a Party with an NDC and a DNA, and has published what it approves."""
    party = _activity(obj).host_party
    if not party.participates:
        return f"{party.name} does not yet meet the A6.4 participation requirements (RMP 26)."
    return None


def prior_consideration_in_time(obj):
    """rules.md §2.3 S0->S1: notice within the window after the start date (policy.md §3), or by
    the transitional deadline for activities that started before it."""
    activity = _activity(obj)
    rule_set = RuleSet.objects.in_force(_today())
    deadline = rule_set.prior_consideration_deadline(activity.start_date)
    if _today() <= deadline:
        return None
    if deadline == rule_set.prior_consideration_transitional_deadline:
        return f"Activities that started before {rule_set.prior_consideration_transitional_start_before} had to notify prior consideration by {deadline}."
    days = rule_set.prior_consideration_days
    return f"Prior consideration had to be notified within {days} days of the start date (by {deadline})."


def doe_accredited_for_scope(obj):
    activity = _activity(obj)
    doe_ids = activity.engaged_doe_ids()
    if not doe_ids:
        return "No DOE is engaged for this stage."
    today = _today()
    from pacm.parties.models import DOEAccreditation

    accredited = DOEAccreditation.objects.filter(
        organisation_id__in=doe_ids, sectoral_scope=activity.sectoral_scope, valid_from__lte=today
    ).exclude(valid_to__lt=today)
    if not accredited.exists():
        return f"The engaged DOE is not accredited for sectoral scope {activity.sectoral_scope.number} today."
    return None


def _has_document(activity, kind, period=None):
    return Document.objects.filter(
        activity=activity, kind=kind, monitoring_period=period, versions__isnull=False
    ).exists()


def has_pdd_document(obj):
    if not _has_document(_activity(obj), Document.Kind.PDD):
        return "Upload the PDD document first."
    return None


def has_validation_report(obj):
    if not _has_document(_activity(obj), Document.Kind.VALIDATION_REPORT):
        return "Upload the validation report first."
    return None


def has_verification_report(obj):
    if not _has_document(obj.activity, Document.Kind.VERIFICATION_REPORT, period=obj):
        return "Upload the verification and certification report for this period first."
    return None


def methodology_applicable(obj):
    version = _activity(obj).methodology_version
    if not version.is_applicable_on(_today()):
        return f"{version} is not an approved methodology version on {_today()} (RMP 32)."
    return None


def no_open_findings(obj):
    """policy.md §4: positive validation or verification needs every CAR and CL closed."""
    activity = _activity(obj)
    period = None if isinstance(obj, Activity) else obj
    open_count = (
        Finding.objects.filter(activity=activity, monitoring_period=period, kind__in=Finding.BLOCKING)
        .exclude(status=Finding.Status.CLOSED)
        .count()
    )
    if open_count:
        return f"{open_count} corrective action or clarification request(s) are still open."
    return None


def risk_rating_set(obj):
    """policy.md §2: removals and reversal-risk activities need a validated risk rating."""
    if obj.methodology_version.methodology.needs_buffer and not obj.risk_rating:
        return "This methodology carries reversal risk: give the validated risk rating."
    return None


def activity_ended(obj):
    """pacm issue 6 §5 rule 2: a period ends with its activity only once the activity is deregistered
    or withdrawn (A6.4-PROC-AC-002 v03.0 para 259)."""
    from .cycle import ActivityState

    activity = _activity(obj)
    if activity.state not in (ActivityState.DEREGISTERED, ActivityState.WITHDRAWN):
        return f"{activity.reference} is {activity.get_state_display().lower()}: its periods end only with it."
    return None


def review_window_open(obj):
    """policy.md §3: review may be requested only within the window; once it has closed the timer
    registers the activity, even if its pass has not run yet."""
    if obj.due_at is not None and obj.due_at <= timezone.now():
        return f"The review window closed on {obj.due_at:%Y-%m-%d %H:%M} UTC: review can no longer be requested."
    return None


def host_approval_on_file(obj):
    """RMP 40: the host's approval must reach the SB before the registration request."""
    if not obj.host_approvals.exists():
        return "The host Party's approval is not on file yet (RMP 40)."
    return None


def authorization_on_file(obj):
    """RMP 42; reading taken: the authorization statement too (a setting, docs/rules-coverage.md)."""
    if settings.PACM_REQUIRE_AUTHORIZATION_STATEMENT_FOR_REGISTRATION and not obj.authorization_statements.exists():
        return "The host Party's authorization statement is not on file yet (RMP 42)."
    return None


def _fee_settled(activity, kind, period=None):
    fee = activity.fees.filter(kind=kind, monitoring_period=period).order_by("-assessed_at").first()
    return fee is not None and fee.settled


def registration_fee_settled(obj):
    """7/CMA.4 annex I para 56: processing starts only after payment."""
    from .models import Fee

    if not _fee_settled(obj, Fee.Kind.REGISTRATION):
        return "The registration fee has not been recorded as paid."
    return None


def issuance_fee_settled(obj):
    from .models import Fee

    if not _fee_settled(obj.activity, Fee.Kind.ISSUANCE, period=obj):
        return "The issuance fee has not been recorded as paid."
    return None


def verified_within_claim(obj):
    claims = list(obj.claims.all())
    if not claims or any(c.verified is None for c in claims):
        return "Give the verified quantity for every vintage."
    over = [c.vintage for c in claims if c.verified > c.claimed]
    if over:
        return f"The verified quantity exceeds the claim for vintage(s) {', '.join(map(str, over))}."
    if sum(c.verified for c in claims) < 1:
        return "Nothing was verified for this period."
    return None


def issuance_request_complete(obj):
    if not hasattr(obj, "issuance"):
        return "Fill in the issuance request first."
    return None


def no_unsettled_avoidable_reversal(obj):
    """policy.md §2: until an avoidable reversal, or a buffer shortfall, is made good: no issuance."""
    if any(r.blocks_issuance for r in obj.activity.reversals.filter(status="reported")):
        return "A reversal of this activity has not been compensated yet: no further issuance until it is."
    if obj.activity.risk_rating == Activity.RiskRating.VERY_HIGH:
        return "A very high reversal risk is not eligible for issuance until the risk is reduced (policy.md §2)."
    return None
