"""The notifications outbox: one row per person told of a committed write, shown in-app at
/notifications/ and e-mailed once unless the person turned e-mail off.

The engine (pacm.engine.notifications) creates the rows on commit; `tasks.notifications_email`
sends them. It never imports `projects`.
"""
