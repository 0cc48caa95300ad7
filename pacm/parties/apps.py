from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "pacm.parties"
    label = "parties"
    verbose_name = "Parties and organisations"
