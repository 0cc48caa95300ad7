"""The reversal risk rating's writes (A6.4-STAN-METH-002 v01.0 paras 38-42, 49; pacm issue 10).

The first assessment is the design document's: the participants enter the rating in the PDD, the
DOE validates it with the activity (`initial_assessment_record`, from `activity_validate`). Every
revision after it runs through the engine on its own machine (projects.risk.machine).
"""
import datetime
from decimal import Decimal, InvalidOperation

from dateutil.relativedelta import relativedelta
from django.utils import timezone
from django.utils.translation import gettext as _

from methodologies.models import RuleSet
from pacm.common.errors import ServiceError
from pacm.engine.run import write_run

from ..models import Document, RiskAssessment
from .cycle import RiskState
from .machine import RISK


def rating_problem(*, activity, percent, negligible, on_date=None):
    """(code, message, params) when a rating cannot be accepted; None when it can (paras 38, 39(b), 42)."""
    if percent is None:
        return ("risk_rating_missing", _("Give the revised percentage risk rating."), {})
    if not 0 <= percent <= 100:
        params = {"rating": f"{percent:f}"}
        return ("risk_rating_out_of_range", _("A risk rating is a percentage from 0 to 100, not %(rating)s.") % params,
                params)
    if negligible and percent != 0:
        return ("risk_negligible_not_zero", _(
            "A negligible risk of reversal is a rating of 0 % (A6.4-STAN-METH-002 para 39(b))."), {})
    return RuleSet.objects.in_force(on_date or timezone.localdate()).risk_rating_problem(percent)


def _document_shown(version):
    return {"id": version.pk, "version": version.number, "sha256": version.sha256} if version else None


def risk_document_latest(activity):
    """The latest version of the activity's reversal risk assessment document (paras 38, 40)."""
    document = activity.documents.filter(kind=Document.Kind.RISK_ASSESSMENT, monitoring_period=None).order_by("-pk").first()
    return document.latest if document is not None else None


def _next_revision_due(activity, after):
    """Para 41: the first date k x `risk_revision_years` from the start of the first crediting period
    that comes after `after`."""
    years = RuleSet.objects.in_force(timezone.localdate()).risk_revision_years
    due, step = activity.crediting_start, 1
    while due <= after:
        due = activity.crediting_start + relativedelta(years=years * step)
        step += 1
    return due


def revision_schedule(*, activity, number, after=None):
    """The next revision, scheduled: the timer opens it `risk_revision_notice_days` before it is due.
    `after`: the due date of the revision just validated (the next one comes after it)."""
    today = timezone.localdate()
    due = _next_revision_due(activity, max(today, after or today))
    notice = RuleSet.objects.in_force(today).risk_revision_notice_days
    opens = timezone.make_aware(datetime.datetime.combine(due - datetime.timedelta(days=notice), datetime.time()))
    return RiskAssessment.objects.create(
        activity=activity, number=number, reason=RiskAssessment.Reason.PERIODIC, revision_due=due,
        state=RiskState.SCHEDULED, state_entered_at=timezone.now(), due_at=opens,
    )


def initial_assessment_record(*, activity, actor):
    """Para 40: the DOE validates the design document's rating with the activity; returns what the
    validation event records (the rating, its document, the next revision's due date)."""
    version = risk_document_latest(activity)
    now = timezone.now()
    activity.risk_validated_at = now
    activity.save(update_fields=["risk_validated_at"])
    RiskAssessment.objects.create(
        activity=activity, number=0, reason=RiskAssessment.Reason.INITIAL, rating_percent=activity.risk_rating_percent,
        negligible=activity.risk_negligible, document_version=version, state=RiskState.VALIDATED,
        state_entered_at=now, validated_at=now, validated_by=actor.organisation,
    )
    following = revision_schedule(activity=activity, number=1)
    return {
        "risk_rating": f"{activity.risk_rating_percent:f}", "risk_negligible": activity.risk_negligible,
        "risk_rating_validated": True, "risk_assessment_document": _document_shown(version),
        "next_risk_revision_due": following.revision_due.isoformat(),
    }


@RISK.serves("open_revision")
def risk_revision_open(*, assessment, actor):
    """Fired by the timer (para 41): the revision is open; the participants are told."""
    return write_run(machine=RISK, pk=assessment.pk, name="open_revision", user=actor)


@RISK.serves("require_revision")
def risk_revision_require(*, assessment, user, comment="", expected_state=None):
    """Para 49: after a reversal's monitoring report the SB asks for the revision now."""

    def prepare(obj, actor):
        obj.reason = RiskAssessment.Reason.REVERSAL

    return write_run(machine=RISK, pk=assessment.pk, name="require_revision", user=user, comment=comment,
                     prepare=prepare, payload={"reason": RiskAssessment.Reason.REVERSAL},
                     expected_state=expected_state)


def activity_risk_revision_require(*, activity, user, comment):
    """The activity's scheduled revision, asked for now (para 49): for the reversal's services."""
    scheduled = activity.risk_assessments.filter(state=RiskState.SCHEDULED).order_by("number").first()
    if scheduled is None:
        raise ServiceError(_("This activity has no scheduled revision of its risk assessment: one is already open."),
                           code="risk_revision_already_open")
    return risk_revision_require(assessment=scheduled, user=user, comment=comment)


def _percent(value):
    if value in (None, ""):
        return None
    try:
        result = Decimal(str(value).strip())
    except InvalidOperation:
        raise ServiceError(_("Give the rating as a percentage from 0 to 100."), field="rating",
                           code="risk_rating_invalid") from None
    if not result.is_finite() or result != result.quantize(Decimal("0.01")):
        raise ServiceError(_("Give the rating as a percentage from 0 to 100, with at most two decimals."),
                           field="rating", code="risk_rating_invalid")
    return result.quantize(Decimal("0.01"))


@RISK.serves("submit_revision")
def risk_revision_submit(*, assessment, user, rating, negligible=False, comment="", expected_state=None):
    """Paras 38, 41: the participants' revised rating, with the latest version of the assessment document."""
    percent = _percent(rating)

    def prepare(obj, actor):
        obj.rating_percent, obj.negligible = percent, bool(negligible)
        version = risk_document_latest(obj.activity)
        obj.document_version = version
        obj.save(update_fields=["rating_percent", "negligible", "document_version"])

    def after(obj, actor):
        return {"rating": f"{obj.rating_percent:f}", "negligible": obj.negligible,
                "document": _document_shown(obj.document_version)}

    return write_run(machine=RISK, pk=assessment.pk, name="submit_revision", user=user, comment=comment,
                     prepare=prepare, after=after, expected_state=expected_state)


@RISK.serves("validate_revision")
def risk_revision_validate(*, assessment, user, comment="", expected_state=None):
    """Para 40: the DOE validates the revised rating; from now on issuances use it (para 49: a higher
    rating raises the contribution), and the next revision is scheduled (para 41)."""

    def after(obj, actor):
        activity = obj.activity  # locked first, as the machine's owner
        previous = activity.risk_rating_percent
        obj.validated_at, obj.validated_by = timezone.now(), actor.organisation
        obj.save(update_fields=["validated_at", "validated_by"])
        activity.risk_rating_percent, activity.risk_negligible = obj.rating_percent, obj.negligible
        activity.risk_validated_at = obj.validated_at
        activity.save(update_fields=["risk_rating_percent", "risk_negligible", "risk_validated_at"])
        following = revision_schedule(activity=activity, number=obj.number + 1, after=obj.revision_due)
        return {"rating": f"{obj.rating_percent:f}", "negligible": obj.negligible,
                "previous_rating": None if previous is None else f"{previous:f}",
                "next_revision_due": following.revision_due.isoformat()}

    return write_run(machine=RISK, pk=assessment.pk, name="validate_revision", user=user, comment=comment,
                     after=after, expected_state=expected_state)


@RISK.serves("return_revision")
def risk_revision_return(*, assessment, user, comment="", expected_state=None):
    return write_run(machine=RISK, pk=assessment.pk, name="return_revision", user=user, comment=comment,
                     expected_state=expected_state)
