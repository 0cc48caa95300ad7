from django.urls import path

from . import views

POA = "poas/<str:reference>/"
CP = "cps/<str:reference>/"

urlpatterns = [
    path("poas/", views.poa_list, name="poa-list"),
    path("poas/new/", views.poa_create, name="poa-create"),
    path(POA, views.poa_detail, name="poa-detail"),
    path(POA + "do/<str:name>/", views.poa_transition, name="poa-transition"),
    path(POA + "doe/", views.poa_engage_doe, name="poa-engage-doe"),
    path(POA + "design/", views.poa_design, name="poa-design"),
    path(POA + "hosts/<int:host_id>/approve/", views.poa_host_approve, name="poa-host-approve"),
    path(POA + "documents/upload/", views.poa_document_upload, name="poa-document-upload"),
    path(POA + "authorization/", views.poa_authorization, name="poa-authorization"),
    path(POA + "fees/<int:fee_id>/pay/", views.poa_fee_pay, name="poa-fee-pay"),
    path(POA + "cps/new/", views.cp_notify, name="cp-notify"),
    path(CP, views.cp_detail, name="cp-detail"),
    path(CP + "do/<str:name>/", views.cp_transition, name="cp-transition"),
    path(CP + "documents/upload/", views.cp_document_upload, name="cp-document-upload"),
    path(CP + "doe/", views.cp_engage_doe, name="cp-engage-doe"),
    path(POA + "monitoring/", views.poa_monitoring_submit, name="poa-monitoring-submit"),
    path(POA + "verification-doe/", views.poa_engage_verification_doe, name="poa-engage-verification-doe"),
    path(CP + "liability/settle/", views.cp_liability_settle, name="cp-liability-settle"),
]
