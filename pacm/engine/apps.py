from django.apps import AppConfig


class EngineConfig(AppConfig):
    name = "pacm.engine"
    label = "engine"
    verbose_name = "Cycle engine"
