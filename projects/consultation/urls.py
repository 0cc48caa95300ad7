from django.urls import path

from . import views

ACTIVITY = "activities/<str:reference>/consultation/"

urlpatterns = [
    path(ACTIVITY + "comment/", views.activity_comment, name="consultation-comment"),
    path(ACTIVITY + "comments/<int:number>/answer/", views.activity_comment_answer, name="consultation-answer"),
    path(ACTIVITY + "comments/<int:number>/assess/", views.activity_comment_assess, name="consultation-assess"),
    path("consultation/confirm/<str:token>/", views.comment_confirm_page, name="consultation-confirm"),
]
