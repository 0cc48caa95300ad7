"""The one write path: every state change of an activity or monitoring period is one function here.

Each locks the row, checks that this user through this organisation may act, runs the
transition, saves, records a typed event and dispatches Celery work on commit, in one
transaction. Views, the admin, commands and tasks call these functions and nothing else.
"""
from .approvals import authorization_statement_issue, host_approval_issue
from .closing import activity_periods_end, period_end_with_activity
from .design import (
    activity_change_doe,
    activity_create,
    activity_engage_doe,
    activity_notify_prior_consideration,
    activity_update,
    activity_withdraw,
    document_upload,
)
from .issuance import (
    issuance_preview,
    issuance_process,
    issuances_sweep,
    period_approve_by_timer,
    period_approve_issuance,
    period_close_appeal_window,
    period_confirm_issuance_request,
    period_decline_issuance_request,
    period_mark_issued,
    period_pass_issuance_checks,
    period_reject_issuance,
    period_request_issuance,
    period_request_issuance_review,
    period_resubmit_issuance,
    period_return_issuance_incomplete,
    period_start_issuance_checks,
)
from .registration import (
    activity_deregister,
    activity_pass_completeness_check,
    activity_pass_information_check,
    activity_register,
    activity_register_after_appeal,
    activity_register_by_timer,
    activity_reject,
    activity_request_registration,
    activity_request_review,
    activity_resubmit_registration,
    activity_return_incomplete,
    activity_start_completeness_check,
    fee_record_payment,
)
from .validation import (
    activity_accept_engagement,
    activity_close_consultation,
    activity_publish_for_consultation,
    activity_validate,
    finding_answer,
    finding_close,
    finding_raise,
    finding_reopen,
)
from .verification import period_certify, period_start_verification, period_submit, period_withdraw

__all__ = [name for name in dir() if not name.startswith("_")]
