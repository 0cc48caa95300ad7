from django.urls import path

from . import views

ACTIVITY = "activities/<str:reference>/"
EVENT = ACTIVITY + "observed-events/<int:number>/"

urlpatterns = [
    path(ACTIVITY + "observed-events/notify/", views.observed_event_notify, name="observed-event-notify"),
    path(EVENT, views.observed_event_detail, name="observed-event-detail"),
    path(EVENT + "do/<str:name>/", views.observed_event_write, name="observed-event-write"),
    path(ACTIVITY + "report-dues/<int:number>/do/<str:name>/", views.report_due_write, name="report-due-write"),
]
