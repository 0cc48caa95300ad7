"""Binds the declarations of `cycle.py` to django-fsm transitions on a model.

The engine checks the guards once, before it fires (pacm.engine.run); the django-fsm
transition only moves the state, from the declared sources to the declared target.
"""
from django_fsm import transition


def fsm_mixin(name, module, field_name, table):
    """A mixin class with one django-fsm transition method per declared transition.

    Assign it to `name` in `module` so that migrations can import it by path.
    """
    namespace = {}
    for spec in table:
        def method(self):
            """Fired only by the engine, through the service of the same name (projects.services)."""

        method.__name__ = spec.name
        namespace[spec.name] = transition(
            field=field_name, source=list(spec.source), target=spec.target, custom={"spec": spec}
        )(method)
    namespace["__module__"] = module
    return type(name, (), namespace)
