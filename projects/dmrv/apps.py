from django.apps import AppConfig


class DmrvConfig(AppConfig):
    name = "projects.dmrv"
    label = "dmrv"
    verbose_name = "Monitoring data ingestion (dMRV): the participants' MRV systems post signed readings"

    def ready(self):
        from . import events  # noqa: F401  (the payload shapes of its events)
