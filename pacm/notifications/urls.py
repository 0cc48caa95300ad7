from django.urls import path

from . import views

urlpatterns = [
    path("", views.notification_list, name="notifications"),
    path("<int:pk>/open/", views.notification_open, name="notification-open"),
    path("read-all/", views.notifications_read_all, name="notifications-read-all"),
    path("preferences/", views.notification_preference, name="notification-preference"),
]
