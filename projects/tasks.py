"""Celery tasks: thin, an id in, one service call, done."""
from celery import shared_task
from django.conf import settings
from django.core.mail import send_mass_mail

from .cycle import ACTIVITY_BY_NAME, PERIOD_BY_NAME


@shared_task(ignore_result=True)
def timers_run():
    from .timers import timers_run as run

    return len(run())


@shared_task(ignore_result=True)
def notify_transition(activity_id, transition):
    """E-mail the people who may act next on the activity (best effort, never blocks the cycle)."""
    from .selectors import users_to_notify

    spec = ACTIVITY_BY_NAME.get(transition) or PERIOD_BY_NAME.get(transition)
    recipients, subject, body = users_to_notify(activity_id=activity_id, transition=spec)
    if recipients:
        send_mass_mail([(subject, body, settings.DEFAULT_FROM_EMAIL, [r]) for r in recipients], fail_silently=True)
    return len(recipients)
