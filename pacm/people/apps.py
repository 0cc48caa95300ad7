from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "pacm.people"
    label = "people"
    verbose_name = "People"

    def ready(self):
        from . import (
            events,  # noqa: F401  the payload shapes of the people.* and demo.* kinds
            language,  # noqa: F401  the login signal that sets the profile language
        )
