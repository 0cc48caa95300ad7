from django.apps import AppConfig


class MethodologiesConfig(AppConfig):
    name = "methodologies"
    verbose_name = "Methodologies and rule sets"
