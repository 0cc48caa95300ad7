"""The notifications' write paths: create the outbox rows, e-mail one, mark read, set the preference."""
import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from pacm.common.errors import ServiceError

from .models import Notification, NotificationOptOut, NotificationPreference, email_enabled

log = logging.getLogger(__name__)


def notifications_write(*, users, machine, subject_pk, write, key, subject_line="", body="", url, compose=None):
    """One row per user; rows that exist already (a task run twice) are left as they are.

    `compose` (pacm issue 9), a function of no argument returning (subject line, body), is called
    once per language of the recipients, under that language (pacm.people.language.languages_of):
    each person reads the row, and its e-mail, in their own language. Without it, `subject_line`
    and `body` are the same for everyone.

    Returns the ids of this write's rows not yet e-mailed, and queues their e-mail on commit.
    """
    users = list(users)
    if compose is not None:
        from pacm.people.language import languages_of

        chosen = languages_of(users)
        texts = {}
        for code in sorted(set(chosen.values())):
            with translation.override(code):
                texts[code] = tuple(str(t) for t in compose())
        shown = {u.pk: texts[chosen[u.pk]] for u in users}
    else:
        shown = {u.pk: (subject_line, body) for u in users}
    rows = [
        Notification(recipient=u, machine=machine, subject_pk=subject_pk, write=write, key=key,
                     subject_line=shown[u.pk][0][:255], body=shown[u.pk][1], url=url[:500])
        for u in users
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        ids = list(
            Notification.objects.filter(machine=machine, subject_pk=subject_pk, write=write, key=key,
                                        emailed_at__isnull=True).values_list("pk", flat=True)
        )
        if ids:
            from .tasks import notifications_email

            transaction.on_commit(lambda: notifications_email.delay(ids), robust=True)
    return ids


def notification_email(*, notification_id):
    """E-mail one row once: locked (skip_locked: another worker has it), sent, marked, committed.

    Not sent when the person turned e-mail off or has no address (the row stays in-app).
    An SMTP or connection error propagates, so the task retries; nothing is marked.
    """
    with transaction.atomic():
        row = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient").filter(pk=notification_id, emailed_at__isnull=True).first()
        )
        if row is None:
            return False
        user = row.recipient
        if not user.email or not email_enabled(user, machine=row.machine):
            return False
        body = row.body + (f"\n\n{settings.PACM_SITE_URL.rstrip('/')}{row.url}" if row.url else "")
        send_mail(row.subject_line, body, settings.DEFAULT_FROM_EMAIL, [user.email], fail_silently=False)
        row.emailed_at = timezone.now()
        row.save(update_fields=["emailed_at"])
    return True


def notification_read(*, user, notification_id):
    """Mark the user's own notification read (opening it); another person's is not found."""
    with transaction.atomic():
        row = Notification.objects.select_for_update().filter(pk=notification_id, recipient=user).first()
        if row is None:
            raise ServiceError(_("No such notification."), code="not_found")
        if row.read_at is None:
            row.read_at = timezone.now()
            row.save(update_fields=["read_at"])
    return row


def notifications_read_all(*, user):
    return Notification.objects.filter(recipient=user, read_at__isnull=True).update(read_at=timezone.now())


def notification_preference_set(*, user, email_enabled, opted_out=None):
    """E-mail on or off; with `opted_out` (machine names), also no e-mail for those kinds (pacm issue 9)."""
    with transaction.atomic():
        pref, _created = NotificationPreference.objects.update_or_create(user=user, defaults={"email_enabled": bool(email_enabled)})
        if opted_out is not None:
            wanted = set(opted_out)
            NotificationOptOut.objects.filter(user=user).exclude(machine__in=wanted).delete()
            NotificationOptOut.objects.bulk_create(
                [NotificationOptOut(user=user, machine=m) for m in sorted(wanted)], ignore_conflicts=True)
    return pref
