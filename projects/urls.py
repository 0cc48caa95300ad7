from django.urls import path

from . import views
from .views.demo import activity_demo_advance_view

ACTIVITY = "activities/<str:reference>/"
PERIOD = ACTIVITY + "periods/<int:number>/"

urlpatterns = [
    path("", views.home, name="registry-public"),
    path("dashboard/", views.dashboard, name="dashboard"),
    path("activities/new/", views.activity_create, name="activity-create"),
    path(ACTIVITY, views.activity_detail, name="activity-detail"),
    path(ACTIVITY + "edit/", views.activity_edit, name="activity-edit"),
    path(ACTIVITY + "do/<str:name>/", views.activity_transition, name="activity-transition"),
    path(ACTIVITY + "doe/", views.activity_engage_doe, name="activity-engage-doe"),
    path(ACTIVITY + "documents/upload/", views.document_upload, name="document-upload"),
    path(ACTIVITY + "documents/<int:version_id>/download/", views.document_download, name="document-download"),
    path(ACTIVITY + "findings/raise/", views.finding_raise, name="finding-raise"),
    path(ACTIVITY + "findings/<int:number>/<str:action>/", views.finding_act, name="finding-act"),
    path(ACTIVITY + "host-approval/", views.host_approval_issue, name="host-approval-issue"),
    path(ACTIVITY + "authorization/", views.authorization_statement_issue, name="authorization-statement-issue"),
    path(ACTIVITY + "fees/<int:fee_id>/pay/", views.fee_record_payment, name="fee-record-payment"),
    path(ACTIVITY + "risk/<int:number>/<str:name>/", views.risk_revision_act, name="risk-revision-act"),
    path(ACTIVITY + "periods/new/", views.period_submit, name="period-submit"),
    path(ACTIVITY + "demo/advance/", activity_demo_advance_view, name="activity-demo-advance"),
    path(PERIOD, views.period_detail, name="period-detail"),
    path(PERIOD + "do/<str:name>/", views.period_transition, name="period-transition"),
    path(PERIOD + "certify/", views.period_certify, name="period-certify"),
    path(PERIOD + "issuance/", views.period_request_issuance, name="period-request-issuance"),
    path(PERIOD + "documents/upload/", views.period_document_upload, name="period-document-upload"),
    path(PERIOD + "findings/raise/", views.period_finding_raise, name="period-finding-raise"),
    path(PERIOD + "findings/<int:finding_number>/<str:action>/", views.period_finding_act, name="period-finding-act"),
    path(PERIOD + "fees/<int:fee_id>/pay/", views.period_fee_record_payment, name="period-fee-record-payment"),
]
