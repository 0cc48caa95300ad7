from django.apps import AppConfig


class RemovalsConfig(AppConfig):
    name = "projects.removals"
    label = "removals"
    verbose_name = "Monitoring of removals: net removals, crediting deficit, post-crediting, buffer stress test"
