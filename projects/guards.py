"""Guards named in `cycle.py`. Each returns None when it holds, or why not: a translated message,
or a `Blocked` (stable code, params, message) when the message has parameters. A plain message
is wrapped by the engine as Blocked(code=<guard name>).

They take the object whose state changes (an Activity or a MonitoringPeriod).
"""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from methodologies.models import RuleSet
from pacm.common import clock
from pacm.engine.declarations import Blocked

from .models import Activity, Document, Finding


def _activity(obj):
    return obj if isinstance(obj, Activity) else obj.activity


def _today():
    """The date the checks compare with: pacm.common.clock (the real date outside a demo database;
    the demo clock's in one, docs/rules-coverage.md demo-1). The rule set in force keeps the real date."""
    return clock.today()


def _blocked(code, message, params, shown=None):
    """A Blocked whose message is `message` (translated, named placeholders) filled from params."""
    return Blocked(code=code, message=message % (shown or params), params=params)


def pdd_complete(obj):
    missing = [
        label
        for field, label in (
            ("title", _("title")),
            ("location", _("location")),
            ("description", _("description")),
            ("estimated_annual", _("estimated annual reductions or removals")),
        )
        if not getattr(obj, field)
    ]
    if missing:
        return _blocked("pdd_complete", _("The PDD is missing: %(missing)s."), {"missing": ", ".join(missing)})
    return None


def host_participates(obj):
    """RMP 26: the host is a Party with an NDC and a DNA, and has published what it approves."""
    party = _activity(obj).host_party
    if not party.participates:
        return _blocked(
            "host_participates", _("%(party)s does not yet meet the A6.4 participation requirements (RMP 26)."),
            {"party": party.name},
        )
    return None


def prior_consideration_in_time(obj):
    """rules.md §2.3 S0->S1: notice within the window after the start date (policy.md §3), or by
    the transitional deadline for activities that started before it."""
    activity = _activity(obj)
    rule_set = RuleSet.objects.in_force(timezone.localdate())
    deadline = rule_set.prior_consideration_deadline(activity.start_date)
    if _today() <= deadline:
        return None
    if deadline == rule_set.prior_consideration_transitional_deadline:
        return _blocked(
            "prior_consideration_in_time",
            _("Activities that started before %(start_before)s had to notify prior consideration by %(deadline)s."),
            {"start_before": str(rule_set.prior_consideration_transitional_start_before), "deadline": str(deadline)},
        )
    return _blocked(
        "prior_consideration_in_time",
        _("Prior consideration had to be notified within %(days)s days of the start date (by %(deadline)s)."),
        {"days": rule_set.prior_consideration_days, "deadline": str(deadline)},
    )


def doe_accredited_for_scope(obj):
    activity = _activity(obj)
    doe_ids = activity.engaged_doe_ids()
    if not doe_ids:
        return _("No DOE is engaged for this stage.")
    today = _today()
    from pacm.parties.models import DOEAccreditation

    accredited = DOEAccreditation.objects.filter(
        organisation_id__in=doe_ids, sectoral_scope=activity.sectoral_scope, valid_from__lte=today
    ).exclude(valid_to__lt=today)
    if not accredited.exists():
        return _blocked(
            "doe_accredited_for_scope", _("The engaged DOE is not accredited for sectoral scope %(scope)s today."),
            {"scope": activity.sectoral_scope.number},
        )
    return None


def _has_document(activity, kind, period=None):
    return Document.objects.filter(
        activity=activity, kind=kind, monitoring_period=period, versions__isnull=False
    ).exists()


def has_pdd_document(obj):
    if not _has_document(_activity(obj), Document.Kind.PDD):
        return _("Upload the PDD document first.")
    return None


def has_validation_report(obj):
    if not _has_document(_activity(obj), Document.Kind.VALIDATION_REPORT):
        return _("Upload the validation report first.")
    return None


def comments_taken_into_account(obj):
    """A6.4-STAN-AC-003 para 90: the DOE has determined that every published comment of the
    global stakeholder consultation was taken into due account (projects.consultation)."""
    from .consultation.declarations import comments_taken_into_account as check

    return check("activity", obj)


def has_verification_report(obj):
    if not _has_document(obj.activity, Document.Kind.VERIFICATION_REPORT, period=obj):
        return _("Upload the verification and certification report for this period first.")
    return None


def methodology_applicable(obj):
    version = _activity(obj).methodology_version
    if not version.is_applicable_on(_today()):
        return _blocked(
            "methodology_applicable", _("%(version)s is not an approved methodology version on %(date)s (RMP 32)."),
            {"version": str(version), "date": str(_today())},
        )
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
        return _blocked(
            "no_open_findings", _("%(count)s corrective action or clarification request(s) are still open."),
            {"count": open_count},
        )
    return None


def risk_rating_set(obj):
    """A6.4-STAN-METH-002 paras 38-40: a removals or reversal-risk activity's design document carries
    the percentage risk rating and its risk assessment (a document of kind risk_assessment)."""
    if not obj.methodology_version.methodology.needs_buffer:
        return None
    if obj.risk_rating_percent is None:
        return _blocked("risk_rating_missing", _(
            "This methodology carries reversal risk: the participants give the percentage risk rating in the PDD "
            "(A6.4-STAN-METH-002 paras 38-40)."), {})
    if not obj.documents.filter(kind="risk_assessment", versions__isnull=False).exists():
        return _blocked("risk_assessment_missing", _(
            "Upload the reversal risk assessment the rating comes from (A6.4-STAN-METH-002 paras 38, 40)."), {})
    return None


def risk_rating_accepted(obj):
    """Para 40: the DOE validates the rating with the design document (the validate form's tick)."""
    if obj.methodology_version.methodology.needs_buffer and not getattr(obj, "_risk_rating_accepted", False):
        return _blocked("risk_rating_not_validated", _(
            "Confirm that you validate the participants' reversal risk rating and its risk assessment."), {})
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
    if obj.due_at is not None and obj.due_at <= clock.now():
        return _blocked(
            "review_window_open",
            _("The review window closed on %(closed)s UTC: review can no longer be requested."),
            {"closed": f"{obj.due_at:%Y-%m-%d %H:%M}"},
        )
    return None


def host_approval_on_file(obj):
    """RMP 40: the host's approval must reach the SB before the registration request."""
    if not obj.host_approvals.exists():
        return _("The host Party's approval is not on file yet (RMP 40).")
    return None


def authorization_on_file(obj):
    """RMP 42; reading taken: the authorization statement too (a setting, docs/rules-coverage.md)."""
    if settings.PACM_REQUIRE_AUTHORIZATION_STATEMENT_FOR_REGISTRATION and not obj.authorization_statements.exists():
        return _("The host Party's authorization statement is not on file yet (RMP 42).")
    return None


def _fee_settled(activity, kind, period=None):
    fee = activity.fees.filter(kind=kind, monitoring_period=period).order_by("-assessed_at").first()
    return fee is not None and fee.settled


def registration_fee_settled(obj):
    """7/CMA.4 annex I para 56: processing starts only after payment."""
    from .models import Fee

    if not _fee_settled(obj, Fee.Kind.REGISTRATION):
        return _("The registration fee has not been recorded as paid.")
    return None


def issuance_fee_settled(obj):
    from .models import Fee

    if not _fee_settled(obj.activity, Fee.Kind.ISSUANCE, period=obj):
        return _("The issuance fee has not been recorded as paid.")
    return None


def verified_within_claim(obj):
    claims = list(obj.claims.all())
    if not claims or any(c.verified is None for c in claims):
        return _("Give the verified quantity for every vintage.")
    over = [c.vintage for c in claims if c.verified > c.claimed]
    if over:
        return _blocked(
            "verified_within_claim", _("The verified quantity exceeds the claim for vintage(s) %(vintages)s."),
            {"vintages": over}, shown={"vintages": ", ".join(map(str, over))},
        )
    # A6.4-STAN-METH-002 v01.0 paras 27, 30(d): a removals report may verify nothing to issue (a
    # crediting deficit, a loss of storage, a post-crediting period): its statement is what is certified.
    if sum(c.verified for c in claims) < 1 and not obj.removals.exists():
        return _("Nothing was verified for this period.")
    return None


def issuance_request_complete(obj):
    if not hasattr(obj, "issuance"):
        return _("Fill in the issuance request first.")
    return None


def issuance_request_confirmed(obj):
    """pacm issue 9 (reading omge-confirm-1): the secretariat's checks start once the participants
    have confirmed the OMGE election and the distribution the DOE submitted, where the rule set in
    force at the submission asks for it (RuleSet.issuance_confirmation_required)."""
    request = getattr(obj, "issuance", None)
    if request is not None and request.awaits_confirmation:
        return Blocked(code="issuance_confirmation_missing", message=_(
            "The activity participants have not yet confirmed the OMGE election and the distribution of this "
            "issuance request: the checks start once they have."))
    return None


def issuance_confirmation_awaited(obj):
    """The participants' confirmation is offered while the request awaits it, and only then."""
    request = getattr(obj, "issuance", None)
    if request is None or not request.confirmation_required:
        return Blocked(code="issuance_confirmation_not_required",
                       message=_("This issuance request does not ask for the participants' confirmation."))
    if request.confirmed_at is not None:
        return Blocked(code="issuance_already_confirmed",
                       message=_("The participants have already confirmed this issuance request."))
    return None


def no_unsettled_avoidable_reversal(obj):
    """A6.4-STAN-METH-002 v01.0 para 58: until the participants replenish the pool after an avoidable
    reversal, the activity is not issued again (projects.reversals)."""
    from .reversals.services import replenishment_owed_events

    owed = replenishment_owed_events(obj.activity)
    if owed:
        params = {"event": owed[0].number, "owed": sum(e.replenishment_owed for e in owed)}
        return _blocked("replenishment_owed",
                        ngettext("The buffer pool has not been replenished after the avoidable reversal of observed event "
                                 "%(event)s (%(owed)s unit owed): no further issuance until it is (A6.4-STAN-METH-002 "
                                 "para 58).",
                                 "The buffer pool has not been replenished after the avoidable reversal of observed event "
                                 "%(event)s (%(owed)s units owed): no further issuance until it is (A6.4-STAN-METH-002 "
                                 "para 58).", params["owed"]), params, {**params, "owed": f"{params['owed']:,}"})
    # The "very high" category is data of the superseded rule sets (policy.md §2 placeholders, buffer
    # basis "categories", rule set 2021-01): under them it is not eligible for issuance. A rule set
    # that follows A6.4-STAN-METH-002 rates in percent (paras 38, 42, 55) and knows no such
    # category: `risk_rating_in_force` asks for the percentage there (reading risk-buffer-2).
    if obj.activity.risk_rating == Activity.RiskRating.VERY_HIGH:
        from methodologies.models import BufferBasis, RuleSet

        rule_set = RuleSet.objects.in_force(timezone.localdate())
        if rule_set.buffer_basis == BufferBasis.CATEGORIES:
            return _blocked("risk_too_high", _("A very high reversal risk is not eligible for issuance until the risk "
                                               "is reduced (rule set %(version)s, its superseded categories of "
                                               "policy.md §2)."), {"version": rule_set.version})
    return None


def risk_rating_in_force(obj):
    """A6.4-STAN-METH-002 paras 38, 42, 55 (pacm issue 10): under a rule set that follows the standard
    the buffer needs the activity's percentage rating, within the rule set's limits; a category of
    the superseded rule set is not enough (reading risk-buffer-2)."""
    from django.utils import timezone

    from methodologies.models import BufferBasis, RuleSet

    activity = obj.activity
    if not activity.methodology_version.methodology.needs_buffer:
        return None
    rule_set = RuleSet.objects.in_force(timezone.localdate())
    if rule_set.buffer_basis != BufferBasis.PERCENTAGE:
        return None
    if activity.risk_rating_percent is None:
        return _blocked("risk_rating_category_superseded", _(
            "Rule set %(rule_set)s takes the activity's percentage risk rating (A6.4-STAN-METH-002 paras 38, 55): "
            "submit a revised risk assessment first."), {"rule_set": rule_set.version})
    problem = rule_set.risk_rating_problem(activity.risk_rating_percent)
    if problem:
        code, message, params = problem
        return Blocked(code=code, message=message, params=params)
    return None


def _stage_doe(activity):
    return activity.verification_doe_id if activity.state == "registered" else activity.validation_doe_id


def no_doe_engaged_for_stage(obj):
    """A DOE already engaged for this stage is replaced by the change-of-DOE action instead."""
    if _stage_doe(obj):
        return _("A DOE is already engaged for this stage: change it instead.")
    return None


def doe_engaged_for_stage(obj):
    if not _stage_doe(obj):
        return _("No DOE is engaged for this stage yet: engage one.")
    return None


def no_period_under_verification(obj):
    """Issue 11: the verification DOE is not swapped while it verifies a period (RMP 51: the DOE
    that verifies a period certifies it)."""
    from .cycle import PeriodState

    busy = obj.monitoring_periods.filter(
        state__in=(PeriodState.UNDER_VERIFICATION, PeriodState.VERIFIED, PeriodState.ISSUANCE_INCOMPLETE)
    ).values_list("number", flat=True).first()
    if busy is not None:
        return _blocked(
            "no_period_under_verification",
            _("Monitoring period %(number)s is being verified by the engaged DOE: the DOE cannot be changed until it is done."),
            {"number": busy},
        )
    return None


def carries_reversal_risk(obj):
    if not _activity(obj).methodology_version.methodology.needs_buffer:
        return _("This activity's methodology carries no reversal risk.")
    return None


def _open_decision(obj, **filters):
    from .board.models import Decision
    from .board.subjects import subject_kind_of

    kind = subject_kind_of(obj).key
    return Decision.objects.filter(subject_kind=kind, subject_id=obj.pk, status="open", **filters).first()


def board_vote_open(obj):
    """RMP 22: members vote on an open electronic decision, within its window."""
    if _open_decision(obj, mode="electronic") is None:
        return _("No electronic decision of the Board is open for votes.")
    return None


TRANSITIONED_PREFIX = "A64-T"


def transitioned_authorization_on_file(obj):
    """A6.4-PROC-AC-001 v06.0 para 27: the host of a transitioned CDM activity provides its
    statement of authorization before the first issuance (projects.transition)."""
    activity = _activity(obj)
    # A transitioned activity carries its transition reference (para 15): no query for the others.
    if activity.reference.startswith(TRANSITIONED_PREFIX) and not activity.authorization_statements.exists():
        return _("The host Party's authorization statement must be on file before the first issuance of a "
                 "transitioned activity (A6.4-PROC-AC-001 para 27).")
    return None


def activity_not_suspended(obj):
    """A6.4-STAN-METH-002 v01.0 paras 25, 44: no issuance while the activity's units are suspended."""
    from pacm.registry.services.suspensions import suspension_error, suspension_of

    suspension = suspension_of(_activity(obj))
    if suspension is None:
        return None
    error = suspension_error(suspension)
    return Blocked(code=error.code, message=error.message, params=error.params)


def poa_issuance_holds(obj):
    """A PoA batch's request and decisions: every unit verified per CP (PROC-AC-003 v03.0 para 220), after
    the previous period's batches (para 219), within each host's maximum annual amount (para 222)."""
    from .poa.issuance import issuance_holds

    return issuance_holds(obj)


def renewal_possible(obj):
    """PROC-AC-002 v03.0 paras 231, 242 (PROC-AC-003 v03.0 paras 275, 286, 303): projects.renewals.guards."""
    from projects.renewals.guards import renewal_possible as check

    return check(obj)


# --- Monitoring of removals (A6.4-STAN-METH-002 v01.0 paras 26-28; projects.removals) ------------


def not_post_crediting(obj):
    """Para 27: no A6.4ERs are issued for the net removals of the post-crediting monitoring period."""
    from .removals.services import period_is_post_crediting

    if period_is_post_crediting(obj):
        return _blocked("not_post_crediting", _("Monitoring period %(number)s is post-crediting monitoring: no units "
                                                "are issued for it (A6.4-STAN-METH-002 para 27)."),
                        {"number": obj.number})
    return None


def post_crediting_monitoring(obj):
    """Paras 26, 28: a removals activity whose last crediting period has ended, still monitored."""
    from .removals.services import is_removals, monitoring_terminated

    activity = _activity(obj)
    if not is_removals(activity):
        return _("Only a removals activity has post-crediting monitoring (A6.4-STAN-METH-002 paras 26-28).")
    if _today() <= activity.crediting_end:
        return _blocked("crediting_not_ended", _("The crediting period runs until %(crediting_end)s: post-crediting "
                                                 "monitoring has not started."),
                        {"crediting_end": activity.crediting_end.isoformat()})
    if monitoring_terminated(activity):
        return _("The Supervisory Body already allowed post-crediting monitoring to end.")
    return None


def no_termination_pending(obj):
    from .removals.cycle import TerminationState

    if _activity(obj).monitoring_terminations.filter(state=TerminationState.REQUESTED).exists():
        return _("A request to end post-crediting monitoring is before the Supervisory Body.")
    return None
