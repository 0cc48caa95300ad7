from django.apps import AppConfig


class PoaConfig(AppConfig):
    name = "projects.poa"
    label = "poa"
    verbose_name = "Programmes of activities and component projects"

    def ready(self):
        from . import events  # noqa: F401  (the PoA's and the CPs' event shapes)
        from .machines import machines_register

        machines_register()
        from . import services  # noqa: F401  (each transition's service registers on its machine)
