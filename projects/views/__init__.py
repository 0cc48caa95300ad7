"""Server-rendered pages. Every write calls one function of `projects.services`."""

from .activity import activity_create, activity_detail, activity_edit, activity_engage_doe, activity_transition
from .documents import document_download, document_upload
from .findings import finding_act, finding_raise
from .host import authorization_statement_issue, host_approval_issue
from .issuance import period_request_issuance
from .monitoring import (
    period_certify,
    period_detail,
    period_document_upload,
    period_fee_record_payment,
    period_finding_act,
    period_finding_raise,
    period_submit,
    period_transition,
)
from .public import dashboard, home
from .reversals import reversal_cancel_from_buffer, reversal_compensate, reversal_report
from .secretariat import fee_record_payment
from .stress_test import stress_test_detail, stress_tests

__all__ = [
    "activity_create",
    "activity_detail",
    "activity_edit",
    "activity_engage_doe",
    "activity_transition",
    "authorization_statement_issue",
    "dashboard",
    "document_download",
    "document_upload",
    "fee_record_payment",
    "finding_act",
    "finding_raise",
    "home",
    "host_approval_issue",
    "period_certify",
    "period_detail",
    "period_document_upload",
    "period_fee_record_payment",
    "period_finding_act",
    "period_finding_raise",
    "period_request_issuance",
    "period_submit",
    "period_transition",
    "reversal_cancel_from_buffer",
    "reversal_compensate",
    "reversal_report",
    "stress_test_detail",
    "stress_tests",
]
