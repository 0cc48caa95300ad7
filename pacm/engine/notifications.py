"""Notifications of committed writes: who is told (pacm.engine.notify) and the message."""
from django.conf import settings
from django.core.mail import send_mass_mail

from .notify import recipients


def notifications_create(*, machine, subject, write, actor_user_id=None):
    """E-mail the people concerned (best effort: a change never waits on mail)."""
    users = list(recipients(subject=subject, actor_user_id=actor_user_id).exclude(email=""))
    if not users:
        return 0
    what = machine.describe(subject) if machine.describe else str(subject)
    subject_line = f"[pacm] {what}: {write.label}"
    body = f"{what} is now {subject.get_state_display().lower()}."
    if machine.url is not None:
        body += f"\n\n{machine.url(subject)}"
    send_mass_mail([(subject_line, body, settings.DEFAULT_FROM_EMAIL, [u.email]) for u in users], fail_silently=True)
    return len(users)
