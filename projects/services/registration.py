"""Registration: the DOE's request, the secretariat's checks, the review window, the SB's decision."""
from django.db import transaction

from ..machines import ACTIVITY
from ..models import Activity
from .base import transition_fire
from .closing import activity_periods_end
from .fees import fee_record_payment, registration_fee_assess


def _fire(activity, name, user, comment="", **kw):
    return transition_fire(model=Activity, pk=activity.pk, name=name, user=user, comment=comment, **kw)


@ACTIVITY.serves("request_registration")
def activity_request_registration(*, activity, user, comment="", expected_state=None):
    """RMP 47-48: the DOE submits; the registration fee is assessed with the request."""

    def after(obj, actor):
        fee = registration_fee_assess(activity=obj, actor=actor)
        return {"fee_usd": str(fee.amount_usd), "fee_status": fee.status} if fee else None

    return transition_fire(
        model=Activity, pk=activity.pk, name="request_registration", user=user, comment=comment, after=after,
        expected_state=expected_state,
    )


@ACTIVITY.serves("resubmit_registration")
def activity_resubmit_registration(*, activity, user, comment="", expected_state=None):
    return _fire(activity, "resubmit_registration", user, comment, expected_state=expected_state)


@ACTIVITY.serves("start_completeness_check")
def activity_start_completeness_check(*, activity, user, comment="", expected_state=None):
    return _fire(activity, "start_completeness_check", user, comment, expected_state=expected_state)


@ACTIVITY.serves("pass_completeness_check")
def activity_pass_completeness_check(*, activity, user, comment="", expected_state=None):
    return _fire(activity, "pass_completeness_check", user, comment, expected_state=expected_state)


@ACTIVITY.serves("return_incomplete")
def activity_return_incomplete(*, activity, user, comment, expected_state=None):
    return _fire(activity, "return_incomplete", user, comment, expected_state=expected_state)


@ACTIVITY.serves("pass_information_check")
def activity_pass_information_check(*, activity, user, comment="", expected_state=None):
    return _fire(activity, "pass_information_check", user, comment, expected_state=expected_state)


@ACTIVITY.serves("request_review")
def activity_request_review(*, activity, user, comment, expected_state=None):
    """SB members may request review only while the window is open (guard review_window_open)."""
    return _fire(activity, "request_review", user, comment, expected_state=expected_state)


@ACTIVITY.serves("register_by_timer")
def activity_register_by_timer(*, activity, actor):
    return _fire(activity, "register_by_timer", actor)


@ACTIVITY.serves("register_after_appeal")
def activity_register_after_appeal(*, activity, actor):
    """PROC-AC-002 v03.0 paras 89-90, 104: the appeal window closed with no appeal: registered."""
    return _fire(activity, "register_after_appeal", actor)


@ACTIVITY.serves("register")
def activity_register(*, activity, user, comment, expected_state=None):
    return _fire(activity, "register", user, comment, expected_state=expected_state)


@ACTIVITY.serves("reject")
def activity_reject(*, activity, user, comment, expected_state=None):
    return _fire(activity, "reject", user, comment, expected_state=expected_state)


@ACTIVITY.serves("deregister")
def activity_deregister(*, activity, user, comment, expected_state=None):
    """The Board deregisters; every pending monitoring period ends with it, in the same transaction
    (issue 6 §5 rule 2; A6.4-PROC-AC-002 v03.0 para 259)."""
    with transaction.atomic():
        activity = _fire(activity, "deregister", user, comment, expected_state=expected_state)
        activity_periods_end(activity=activity, user=user, transition="deregister", comment=comment)
    return activity


__all__ = [
    "activity_deregister",
    "activity_pass_completeness_check",
    "activity_pass_information_check",
    "activity_register",
    "activity_register_after_appeal",
    "activity_register_by_timer",
    "activity_reject",
    "activity_request_registration",
    "activity_request_review",
    "activity_resubmit_registration",
    "activity_return_incomplete",
    "activity_start_completeness_check",
    "fee_record_payment",
]
