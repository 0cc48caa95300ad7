from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "projects"
    verbose_name = "Activities and their cycle"

    def ready(self):
        from pacm.common.visibility import visible_activities_register

        from . import events  # noqa: F401  (declares the event kinds' payload shapes)
        from .board import events as _board_events  # noqa: F401  (the Board's event shapes)
        from .machines import machines_register
        from .selectors import activities_visible_to

        machines_register()
        from .risk.machine import risk_machine_register

        risk_machine_register()  # pacm issue 10: the reversal risk assessment's revisions
        from .reversals import events as _reversal_events  # noqa: F401  (observed events' shapes)
        from .reversals.machine import machines_register as reversal_machines_register

        reversal_machines_register()
        from .removals import events as _removals_events  # noqa: F401  (removals' event shapes)
        from .removals.machine import machines_register as removals_machines_register

        removals_machines_register()  # pacm issue 10: termination of post-crediting monitoring, stress test
        visible_activities_register(activities_visible_to)

        from pacm.registry.authorizations import host_approval_lookup_register

        from .selectors import host_approval_authorizing

        host_approval_lookup_register(host_approval_authorizing)
