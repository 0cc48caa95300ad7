"""Reminders before a deadline of an observed event or a monitoring report of removals runs out
(A6.4-STAN-METH-002 v01.0 paras 21-25, 46-47). The lead time is rule-set data
(`RuleSet.deadline_reminder_days`); each deadline is reminded once (its own outbox key)."""
import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from methodologies.models import RuleSet
from pacm.notifications.services import notifications_write
from pacm.parties.roles import Role, organisations_tied

from .machine import DUE, EVENT


def _participants(subject):
    return list(get_user_model().objects.filter(
        is_active=True, memberships__organisation__in=organisations_tied(subject, {Role.PARTICIPANT})).distinct())


def reminders_send():
    """Tell the participants of every deadline due within the lead time, once; returns how many."""
    now = timezone.now()
    lead = RuleSet.objects.in_force(timezone.localdate(now)).deadline_reminder_days
    horizon = now + datetime.timedelta(days=lead)
    sent = 0
    for machine in (EVENT, DUE):
        due = machine.model.objects.filter(state__in=list(machine.timed), due_at__gt=now, due_at__lte=horizon)
        for pk in list(due.values_list("pk", flat=True)):
            with transaction.atomic():
                row = machine.model.objects.select_for_update().get(pk=pk)
                if row.reminded_for == row.due_at:
                    continue
                users = _participants(row)
                if users:
                    def compose(row=row):  # in each participant's language (pacm issue 9)
                        due = timezone.localtime(row.due_at).date()
                        shown = {"subject": machine.describe(row), "state": row.get_state_display().lower(),
                                 "due": formats.date_format(due - datetime.timedelta(days=1), "DATE_FORMAT")}
                        return (_("[pacm] %(subject)s: deadline coming") % shown,
                                _("%(subject)s is %(state)s; the deadline runs out at the start of the day after "
                                  "%(due)s.") % shown)

                    notifications_write(
                        users=users, machine=machine.name, subject_pk=row.pk, write="reminder",
                        key=f"{machine.name}:{row.pk}:reminder:{row.due_at.isoformat()}",
                        compose=compose, url=machine.url(row),
                    )
                    sent += len(users)
                row.reminded_for = row.due_at
                row.save(update_fields=["reminded_for"])
    return sent
