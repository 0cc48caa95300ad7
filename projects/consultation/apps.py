from django.apps import AppConfig


class ConsultationConfig(AppConfig):
    name = "projects.consultation"
    label = "consultation"
    verbose_name = "Global stakeholder consultations"

    def ready(self):
        from . import events  # noqa: F401  (the comments' event shapes)
        from .subjects import subjects_register

        subjects_register()
