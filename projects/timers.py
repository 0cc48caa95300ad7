"""The timer pass of every machine (pacm.engine.timers), for the commands and tasks.

Before it, the first monitoring-report due dates of removals are opened (A6.4-STAN-METH-002 v01.0
para 21); after it, the participants are reminded of deadlines that come near
(`RuleSet.deadline_reminder_days`).
"""
from pacm.engine.timers import timers_run as _engine_timers_run


def timers_run():
    from .reversals.reminders import reminders_send
    from .reversals.services import report_dues_sync

    report_dues_sync()
    fired = _engine_timers_run()
    reminders_send()
    from .renewals.reminders import renewal_reminders_send

    renewal_reminders_send()  # A6.4-PROC-AC-002 v03.0 para 242: the window opens, the participants are told
    return fired


__all__ = ["timers_run"]
