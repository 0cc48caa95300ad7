from django.apps import AppConfig


class BoardConfig(AppConfig):
    name = "projects.board"
    label = "board"
    verbose_name = "Supervisory Body decisions"
