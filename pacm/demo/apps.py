from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "pacm.demo"
    label = "demo"
    verbose_name = "Demo clock"
