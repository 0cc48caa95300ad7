"""E-mail the outbox: one task per committed write, each row sent once (services.notification_email)."""
import smtplib

from celery import shared_task

# Bounded retries with backoff on a mail server or connection that fails; a row stays unsent
# (and listed in-app) when they run out.
RETRY_ON = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(ignore_result=True, autoretry_for=RETRY_ON, max_retries=5, retry_backoff=True, retry_backoff_max=600)
def notifications_email(notification_ids):
    from .services import notification_email

    return sum(1 for pk in notification_ids if notification_email(notification_id=pk))
