"""The secretariat's reminder when a renewal's window opens (A6.4-PROC-AC-002 v03.0 para 242;
A6.4-PROC-AC-003 v03.0 paras 286, 303): 270 days (`RuleSet.renewal_request_before_days`) before a
crediting period or PoA period ends, its participants are told, with the consequence of missing
the deadline. Once per period end (the outbox key); run by the timer pass (projects.timers)."""
import datetime

from django.contrib.auth import get_user_model
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from pacm.engine.machines import machine_for
from pacm.notifications.models import Notification
from pacm.notifications.services import notifications_write
from pacm.parties.roles import Role, organisations_tied

from . import guards, periods

WRITE = "renewal_reminder"


def _subjects(today, before_days):
    from ..cycle import ActivityState
    from ..models import Activity
    from ..poa.cycle import CPState
    from ..poa.models import ComponentProject, Programme

    window = {"crediting_end__gte": today, "crediting_end__lte": today + datetime.timedelta(days=before_days)}
    yield from Activity.objects.filter(state=ActivityState.REGISTERED, crediting_type="renewable", **window) \
        .select_related("host_party").order_by("pk")
    yield from Programme.objects.filter(state=ActivityState.REGISTERED, **window).order_by("pk")
    yield from ComponentProject.objects.filter(state=CPState.INCLUDED, crediting_type="renewable", **window) \
        .select_related("poa", "host__party").order_by("pk")


def renewal_reminders_send():
    """Tell the participants of every period whose renewal window has opened, once; returns how many."""
    today = timezone.localdate()
    rule_set = periods.rules(today)
    sent = 0
    for subject in _subjects(today, rule_set.renewal_request_before_days):
        machine = machine_for(subject)
        key = f"renewal:{subject.crediting_end.isoformat()}"
        if Notification.objects.filter(machine=machine.name, subject_pk=subject.pk, write=WRITE, key=key).exists():
            continue
        if guards.renewal_possible(subject) is not None:
            continue  # not renewable, or a renewal already open
        _opens, closes, _t = periods.window(subject, rule_set)
        users = list(get_user_model().objects.filter(
            is_active=True, memberships__organisation__in=organisations_tied(subject, {Role.PARTICIPANT})).distinct())
        if not users:
            continue
        def compose(subject=subject, closes=closes):  # in each participant's language (pacm issue 9)
            shown = {"subject": subject.reference, "end": formats.date_format(subject.crediting_end, "DATE_FORMAT"),
                     "closes": formats.date_format(closes, "DATE_FORMAT")}
            return (_("[pacm] %(subject)s: the renewal of its period may be requested") % shown,
                    _("The period of %(subject)s ends on %(end)s. The request for its renewal may be submitted from "
                      "today until %(closes)s; after that day it may no longer be renewed (A6.4-PROC-AC-002 para 242; "
                      "A6.4-PROC-AC-003 paras 286, 303).") % shown)

        notifications_write(
            users=users, machine=machine.name, subject_pk=subject.pk, write=WRITE, key=key, compose=compose,
            url=machine.url(subject) if machine.url else "",
        )
        sent += len(users)
    return sent
