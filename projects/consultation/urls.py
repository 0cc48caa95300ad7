from django.urls import path

from . import views

ACTIVITY = "activities/<str:reference>/consultation/"
POA = "poas/<str:reference>/consultation/"
TRANSITION = "transitions/<int:pk>/consultation/"

urlpatterns = [
    path(ACTIVITY + "comment/", views.activity_comment, name="consultation-comment"),
    path(ACTIVITY + "comments/<int:number>/answer/", views.activity_comment_answer, name="consultation-answer"),
    path(ACTIVITY + "comments/<int:number>/assess/", views.activity_comment_assess, name="consultation-assess"),
    path("consultation/confirm/<str:token>/", views.comment_confirm_page, name="consultation-confirm"),
    # A PoA's PoA-DD and a CDM transition request (issue 7, third round).
    path(POA + "comment/", views.poa_comment, name="poa-consultation-comment"),
    path(POA + "comments/<int:number>/answer/", views.poa_comment_answer, name="poa-consultation-answer"),
    path(POA + "comments/<int:number>/assess/", views.poa_comment_assess, name="poa-consultation-assess"),
    path(TRANSITION + "comment/", views.transition_comment, name="transition-consultation-comment"),
    path(TRANSITION + "comments/<int:number>/answer/", views.transition_comment_answer,
         name="transition-consultation-answer"),
]
