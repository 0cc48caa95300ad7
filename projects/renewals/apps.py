from django.apps import AppConfig


class RenewalsConfig(AppConfig):
    name = "projects.renewals"
    label = "renewals"
    verbose_name = "Renewals of crediting periods and PoA periods"

    def ready(self):
        from . import (
            events,  # noqa: F401  (declares the event kinds' payload shapes)
            services,  # noqa: F401  (binds the machines' services)
        )
        from .machine import machines_register

        machines_register()
