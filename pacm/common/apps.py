from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "pacm.common"
    label = "common"
