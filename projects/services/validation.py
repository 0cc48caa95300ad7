"""Validation stage: the DOE accepts, publishes, raises and closes findings, gives its opinion."""
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common import bounds
from pacm.common.errors import ServiceError
from pacm.events.models import EventKind

from .. import events
from ..machines import ACTIVITY
from ..models import Activity, Finding
from .base import action_run, transition_fire


@ACTIVITY.serves("accept_engagement")
def activity_accept_engagement(*, activity, user, comment="", expected_state=None):
    return transition_fire(model=Activity, pk=activity.pk, name="accept_engagement", user=user, comment=comment, expected_state=expected_state)


@ACTIVITY.serves("publish_for_consultation")
def activity_publish_for_consultation(*, activity, user, comment="", expected_state=None):
    return transition_fire(model=Activity, pk=activity.pk, name="publish_for_consultation", user=user, comment=comment, expected_state=expected_state)


@ACTIVITY.serves("close_consultation")
def activity_close_consultation(*, activity, actor):
    """Fired by the timer when the consultation period ends (policy.md §3)."""
    return transition_fire(model=Activity, pk=activity.pk, name="close_consultation", user=actor)


@ACTIVITY.serves("validate")
def activity_validate(*, activity, user, comment="", risk_rating_accepted=False, expected_state=None):
    """Positive validation opinion; for reversal-risk activities the DOE validates the participants'
    percentage risk rating and its risk assessment with it (A6.4-STAN-METH-002 paras 38-40)."""

    def prepare(obj, actor):
        obj._risk_rating_accepted = bool(risk_rating_accepted)

    def after(obj, actor):
        if not obj.methodology_version.methodology.needs_buffer:
            return None
        from ..risk.services import initial_assessment_record

        return initial_assessment_record(activity=obj, actor=actor)

    return transition_fire(
        model=Activity, pk=activity.pk, name="validate", user=user, comment=comment, prepare=prepare, after=after,
        expected_state=expected_state,
    )


# Findings are raised and acted on during validation (on the activity) or verification (on a
# period): the states are declared with the actions in projects/cycle.py (FINDING_STATES,
# PERIOD_ACTIONS), which the engine checks.


def finding_raise(*, activity, user, kind, text, period=None, expected_state=None):
    if kind not in Finding.Kind.values:
        raise ServiceError(_("Choose the kind of finding."), field="kind", code="finding_kind_required")
    text = bounds.text_required(text, field="text", message=_("Describe the finding."))
    if period is not None and period.activity_id != activity.pk:
        raise ServiceError(_("That monitoring period belongs to another activity."), code="period_of_other_activity")

    def apply(obj, actor):
        owner = obj if period is None else obj.activity
        number = (owner.findings.order_by("-number").values_list("number", flat=True).first() or 0) + 1
        finding = Finding.objects.create(
            activity=owner, monitoring_period=period, number=number, kind=kind, text=text,
            raised_by=actor.organisation,
        )
        events.finding_event(kind=EventKind.FINDING_RAISED, finding=finding, actor=actor, comment=text)
        return finding

    subject = period if period is not None else activity
    return action_run(subject=subject, name="raise_finding", user=user, apply=apply, expected_state=expected_state)


def _finding_change(*, finding, user, name, to_status, event_kind, comment="", apply=None):
    finding_id = finding.pk
    subject = finding.monitoring_period if finding.monitoring_period_id else finding.activity

    def locked(obj):
        return Finding.objects.select_for_update().get(pk=finding_id)

    def write(obj, actor, current):
        previous_status = current.status
        if apply is not None:
            apply(current)
        current.status = to_status
        current.closed_at = timezone.now() if to_status == Finding.Status.CLOSED else None
        current.save()
        events.finding_event(kind=event_kind, finding=current, actor=actor, comment=comment,
                             previous_status=previous_status)
        return current

    return action_run(subject=subject, name=name, user=user, apply=write, item=locked)


def finding_answer(*, finding, user, response):
    response = bounds.text_required(response, field="response", message=_("Write the answer to the finding."))

    def apply(f):
        f.response = response

    return _finding_change(
        finding=finding, user=user, name="answer_finding", to_status=Finding.Status.ANSWERED,
        event_kind=EventKind.FINDING_ANSWERED, comment=response, apply=apply,
    )


def finding_close(*, finding, user, comment=""):
    """Closed by the DOE that raised it (issue 11; policy.md §4)."""
    return _finding_change(
        finding=finding, user=user, name="close_finding", to_status=Finding.Status.CLOSED,
        event_kind=EventKind.FINDING_CLOSED, comment=comment,
    )


def finding_reopen(*, finding, user, comment):
    comment = bounds.text_required(
        comment, field="comment", message=_("Say why the answer does not resolve the finding.")
    )
    return _finding_change(
        finding=finding, user=user, name="reopen_finding", to_status=Finding.Status.OPEN,
        event_kind=EventKind.FINDING_REOPENED, comment=comment,
    )
