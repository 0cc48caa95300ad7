"""E-mail a comment's confirmation link, on commit of the comment (services.comment_submit)."""
import smtplib

from celery import shared_task

RETRY_ON = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(ignore_result=True, autoretry_for=RETRY_ON, max_retries=5, retry_backoff=True, retry_backoff_max=600)
def comment_confirmation_send(comment_id):
    from .services import comment_confirmation_email

    return comment_confirmation_email(comment_id=comment_id)
