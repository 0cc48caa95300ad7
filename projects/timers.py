"""The timer pass of every machine (pacm.engine.timers), re-exported for the commands and tasks."""
from pacm.engine.timers import timers_run

__all__ = ["timers_run"]
