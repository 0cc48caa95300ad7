from django.apps import AppConfig


class ReversalsConfig(AppConfig):
    name = "projects.reversals"
    label = "reversals"
    verbose_name = "Observed events, suspensions and reversals of removals"
