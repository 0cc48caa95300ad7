from django.apps import AppConfig


class TransitionConfig(AppConfig):
    name = "projects.transition"
    label = "transition"
    verbose_name = "CDM transition requests"

    def ready(self):
        from pacm.engine.machines import machine_register

        from . import (
            events,  # noqa: F401  (declares the event kinds' payload shapes)
            services,  # noqa: F401  (binds the machine's services)
        )
        from .machine import TRANSITION_MACHINE

        machine_register(TRANSITION_MACHINE)
