from django.urls import path

from . import views

ACTIVITY = "activities/<str:reference>/"

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
]
