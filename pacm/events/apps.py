from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "pacm.events"
    label = "events"
    verbose_name = "Event log"
