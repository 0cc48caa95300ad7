from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "pacm.registry"
    label = "registry"
    verbose_name = "Unit registry"

    def ready(self):
        from pacm.engine.machines import machine_register

        from .machine import ACCOUNT, PARTY

        machine_register(ACCOUNT)
        machine_register(PARTY)
