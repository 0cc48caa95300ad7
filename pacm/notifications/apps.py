from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "pacm.notifications"
    label = "notifications"
    verbose_name = "Notifications"
