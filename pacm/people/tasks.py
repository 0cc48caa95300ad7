"""The invitation e-mail, sent after the invitation commits (retried on a mail server that fails)."""
import smtplib

from celery import shared_task

RETRY_ON = (smtplib.SMTPException, ConnectionError, TimeoutError)


@shared_task(ignore_result=True, autoretry_for=RETRY_ON, max_retries=5, retry_backoff=True, retry_backoff_max=600)
def invitation_email(invitation_id, token):
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse

    from .models import Invitation

    invitation = Invitation.objects.select_related("organisation", "invited_by").filter(
        pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True).first()
    if invitation is None:
        return False
    link = settings.PACM_SITE_URL.rstrip("/") + reverse("invitation-accept", args=[token])
    context = {"invitation": invitation, "link": link}
    from django.utils import translation

    from .language import language_of

    # The invitee has no profile yet: the e-mail is in the language of the administrator who invited.
    with translation.override(language_of(invitation.invited_by)):
        subject = render_to_string("people/invitation_subject.txt", context).strip()
        body = render_to_string("people/invitation_email.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email], fail_silently=False)
    return True
