from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "pacm.registry"
    label = "registry"
    verbose_name = "Unit registry"

    def ready(self):
        from django.db.models.signals import post_delete, post_migrate, post_save

        from pacm.engine.machines import machine_register

        from .machine import ACCOUNT, PARTY
        from .models import Account
        from .services.accounts import mechanism_accounts_forget

        machine_register(ACCOUNT)
        machine_register(PARTY)
        # The per-process copy of the mechanism's accounts (services.accounts.mechanism_accounts).
        post_save.connect(mechanism_accounts_forget, sender=Account, dispatch_uid="registry_mechanism_saved")
        post_delete.connect(mechanism_accounts_forget, sender=Account, dispatch_uid="registry_mechanism_deleted")
        post_migrate.connect(mechanism_accounts_forget, dispatch_uid="registry_mechanism_migrated")
