"""Validation stage: the DOE accepts, publishes, raises and closes findings, gives its opinion."""
from django.db import transaction
from django.utils import timezone

from pacm.common import bounds
from pacm.common.errors import Refused, ServiceError
from pacm.events.models import EventKind
from pacm.parties.roles import Role

from .. import events
from ..cycle import ActivityState, PeriodState
from ..models import Activity, Finding, MonitoringPeriod
from .base import actor_require, lock, transition_fire


def activity_accept_engagement(*, activity, user, comment=""):
    return transition_fire(model=Activity, pk=activity.pk, name="accept_engagement", user=user, comment=comment)


def activity_publish_for_consultation(*, activity, user, comment=""):
    return transition_fire(model=Activity, pk=activity.pk, name="publish_for_consultation", user=user, comment=comment)


def activity_close_consultation(*, activity, actor):
    """Fired by the timer when the consultation period ends (policy.md §3)."""
    return transition_fire(model=Activity, pk=activity.pk, name="close_consultation", user=actor)


def activity_validate(*, activity, user, comment="", risk_rating=""):
    """Positive validation opinion; for reversal-risk activities it carries the risk rating."""

    def prepare(obj, actor):
        if risk_rating:
            if risk_rating not in Activity.RiskRating.values:
                raise ServiceError("Unknown risk rating.", field="risk_rating")
            obj.risk_rating = risk_rating

    return transition_fire(
        model=Activity, pk=activity.pk, name="validate", user=user, comment=comment, prepare=prepare,
        payload={"risk_rating": risk_rating} if risk_rating else None,
    )


# Findings are raised during validation (on the activity) or verification (on a period).
_FINDING_STATES = {None: {ActivityState.UNDER_VALIDATION, ActivityState.CONSULTATION}}
_PERIOD_FINDING_STATES = {PeriodState.UNDER_VERIFICATION}


def finding_stage_open(activity, period):
    """Whether findings may be raised or acted on now: during validation or verification."""
    if period is None:
        return activity.state in _FINDING_STATES[None]
    return period.state in _PERIOD_FINDING_STATES


def finding_raise(*, activity, user, kind, text, period=None):
    if kind not in Finding.Kind.values:
        raise ServiceError("Choose the kind of finding.", field="kind")
    text = bounds.text_required(text, field="text", message="Describe the finding.")
    with transaction.atomic():
        activity = lock(Activity, activity.pk)
        if period is not None:
            period = lock(MonitoringPeriod, period.pk)
            if period.activity_id != activity.pk:
                raise ServiceError("That monitoring period belongs to another activity.")
        actor = actor_require(user=user, activity=activity, roles={Role.DOE}, what="raise a finding")
        if not finding_stage_open(activity, period):
            raise Refused("Findings can be raised only during validation or verification.")
        number = (activity.findings.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        finding = Finding.objects.create(
            activity=activity, monitoring_period=period, number=number, kind=kind, text=text,
            raised_by=actor.organisation,
        )
        events.finding_event(kind=EventKind.FINDING_RAISED, finding=finding, actor=actor, comment=text)
    return finding


def _finding_change(*, finding, user, roles, what, from_status, to_status, event_kind, comment="", apply=None):
    with transaction.atomic():
        activity = lock(Activity, finding.activity_id)
        finding = Finding.objects.select_for_update().get(pk=finding.pk)
        actor = actor_require(user=user, activity=activity, roles=roles, what=what)
        if finding.status not in from_status:
            raise Refused(f"This finding is {finding.get_status_display().lower()}: you cannot {what} now.")
        period = finding.monitoring_period
        if not finding_stage_open(activity, period):
            raise Refused("The validation or verification stage of this finding is over.")
        if apply is not None:
            apply(finding)
        finding.status = to_status
        finding.closed_at = timezone.now() if to_status == Finding.Status.CLOSED else None
        finding.save()
        events.finding_event(kind=event_kind, finding=finding, actor=actor, comment=comment)
    return finding


def finding_answer(*, finding, user, response):
    response = bounds.text_required(response, field="response", message="Write the answer to the finding.")

    def apply(f):
        f.response = response

    return _finding_change(
        finding=finding, user=user, roles={Role.PARTICIPANT}, what="answer this finding",
        from_status={Finding.Status.OPEN}, to_status=Finding.Status.ANSWERED,
        event_kind=EventKind.FINDING_ANSWERED, comment=response, apply=apply,
    )


def finding_close(*, finding, user, comment=""):
    return _finding_change(
        finding=finding, user=user, roles={Role.DOE}, what="close this finding",
        from_status={Finding.Status.OPEN, Finding.Status.ANSWERED}, to_status=Finding.Status.CLOSED,
        event_kind=EventKind.FINDING_CLOSED, comment=comment,
    )


def finding_reopen(*, finding, user, comment):
    comment = bounds.text_required(comment, field="comment", message="Say why the answer does not resolve the finding.")
    return _finding_change(
        finding=finding, user=user, roles={Role.DOE}, what="reopen this finding",
        from_status={Finding.Status.ANSWERED}, to_status=Finding.Status.OPEN,
        event_kind=EventKind.FINDING_REOPENED, comment=comment,
    )
