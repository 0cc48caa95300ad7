"""Binds the declarations of `cycle.py` to django-fsm transitions on a model."""
from django_fsm import transition


def _guard_condition(name):
    def condition(instance):
        from . import guards

        return getattr(guards, name)(instance) is None

    condition.__name__ = f"guard_{name}"
    return condition


def fsm_mixin(name, module, field_name, table):
    """A mixin class with one django-fsm transition method per declared transition.

    Assign it to `name` in `module` so that migrations can import it by path.
    """
    namespace = {}
    for spec in table:
        def method(self):
            """Fired only by the service of the same name (projects.services)."""

        method.__name__ = spec.name
        namespace[spec.name] = transition(
            field=field_name,
            source=list(spec.source),
            target=spec.target,
            conditions=[_guard_condition(g) for g in spec.guards],
            custom={"spec": spec},
        )(method)
    namespace["__module__"] = module
    return type(name, (), namespace)
