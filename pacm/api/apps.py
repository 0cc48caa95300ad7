from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "pacm.api"
    label = "api"
    verbose_name = "API"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.utils.module_loading import autodiscover_modules

        # Each app's `api_routes` module adds its routers and action subjects (projects/api_routes.py).
        autodiscover_modules("api_routes")
