from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "pacm.registry"
    label = "registry"
    verbose_name = "Unit registry"
