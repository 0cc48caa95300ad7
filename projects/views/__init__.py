"""Server-rendered pages. Every write calls one function of `projects.services`."""

from .activity import activity_create, activity_detail, activity_edit, activity_engage_doe, activity_transition
from .documents import document_download, document_upload
from .findings import finding_act, finding_raise
from .host import authorization_statement_issue, host_approval_issue
from .public import dashboard, home
from .secretariat import fee_record_payment

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
]
