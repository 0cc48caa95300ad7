from django.apps import AppConfig


class ExportsConfig(AppConfig):
    """CSV and XLSX exports of every list, and the Agreed Electronic Format (pacm issue 9)."""

    name = "projects.exports"
    label = "exports"
    verbose_name = "Exports and reports"
