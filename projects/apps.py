from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Activities and their cycle"

    def ready(self):
        from . import events  # noqa: F401  (declares the event kinds' payload shapes)
        from .board import events as _board_events  # noqa: F401  (the Board's event shapes)
        from .machines import machines_register

        machines_register()
