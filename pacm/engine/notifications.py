"""Notifications of committed writes: who is told (pacm.engine.notify), the message, the outbox."""
from django.utils.translation import gettext as _

from .notify import recipients


def notification_message(*, machine, subject, write):
    """(subject line, body, link) of a write on `subject`, from the machine's declaration."""
    what = machine.describe(subject) if machine.describe else str(subject)
    shown = {"subject": what, "write": write.label, "state": subject.get_state_display().lower()}
    subject_line = _("[pacm] %(subject)s: %(write)s") % shown
    body = _("%(write)s: %(subject)s is now %(state)s.") % shown
    url = machine.url(subject) if machine.url is not None else ""
    return subject_line, body, url


def notifications_create(*, machine, subject, write, actor_user_id=None, key):
    """The outbox rows for everyone told of the write (once per key), then their e-mail on commit.

    Returns the number of people told.
    """
    from pacm.notifications.services import notifications_write

    users = list(recipients(subject=subject, actor_user_id=actor_user_id))
    if not users:
        return 0
    url = machine.url(subject) if machine.url is not None else ""

    def compose():  # in each recipient's language (pacm issue 9)
        return notification_message(machine=machine, subject=subject, write=write)[:2]

    notifications_write(users=users, machine=machine.name, subject_pk=subject.pk, write=write.name, key=key,
                        url=url, compose=compose)
    return len(users)
