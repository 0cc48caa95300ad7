from django.apps import AppConfig


class CertificatesConfig(AppConfig):
    name = "projects.certificates"
    label = "certificates"
    verbose_name = "Generated PDF documents"

    def ready(self):
        # The documents follow the event log: one receiver, no change to the services that write (dispatch.py).
        from . import dispatch

        dispatch.connect()
