from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Activities and their cycle"

    def ready(self):
        from .machines import machines_register

        machines_register()
