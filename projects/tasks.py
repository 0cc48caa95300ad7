"""Celery tasks: thin, an id in, one service call, done."""
from celery import shared_task


@shared_task(ignore_result=True)
def timers_run():
    from .timers import timers_run as run

    return len(run())


# Only infrastructure errors are retried: a database or broker that is briefly away. A rule
# that refuses (ServiceError) is not retried; the period stays issuing and shows on dashboards.
_RETRY_ON = (ConnectionError, TimeoutError)


def _retry_on():
    from django.db import InterfaceError, OperationalError

    return (*_RETRY_ON, OperationalError, InterfaceError)


@shared_task(bind=True, acks_late=True, reject_on_worker_lost=True, max_retries=10, ignore_result=True)
def issuance_run(self, period_id):
    """One task per issuance; safe to run twice, safe to be killed and redelivered."""
    from .services.issuance import issuance_process

    try:
        return issuance_process(period_id=period_id)
    except _retry_on() as exc:
        raise self.retry(exc=exc, countdown=min(2 ** self.request.retries, 60)) from exc


@shared_task(ignore_result=True)
def issuances_sweep():
    from .services.issuance import issuances_sweep as sweep

    return len(sweep())
