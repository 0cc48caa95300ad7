"""Pages and forms of observed events and report due dates (A6.4-STAN-METH-002 v01.0 paras 21-25,
43-58). The buttons come from `available_actions` on the event (or due date); every post goes
through the machine's service, which checks the same declaration again."""
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.engine.offers import available_actions

from .. import selectors
from ..views.activity_page import activity_get_or_404, form_run, form_submit
from . import selectors as rev_selectors
from . import services
from .forms import ObservedEventNotifyForm, write_form
from .machine import DUE, EVENT
from .models import ObservedEvent, ReportDue


def event_url(event, anchor=""):
    url = reverse("observed-event-detail", kwargs={"reference": event.activity.reference, "number": event.number})
    return f"{url}#{anchor}" if anchor else url


def _visible_activity(user, reference):
    activity = selectors.activities_visible_to(user).filter(reference=reference).first()
    if activity is None:
        raise Http404(_("There is no activity with this reference that you may see."))
    return activity


def event_get_or_404(*, user, reference, number):
    activity = _visible_activity(user, reference)
    event = (ObservedEvent.objects.select_related("activity", "suspension", "preliminary", "full_report", "notified_by")
             .filter(activity=activity, number=number).first())
    if event is None:
        raise Http404(_("There is no such observed event that you may see."))
    return event


def _accounts(user, event, name):
    if name != "replenish_buffer":
        return ()
    return list(selectors.participant_holding_accounts(user=user, activity=event.activity))


def event_page_render(request, event, *, bound=None, status=200):
    bound = bound or {}
    offers = available_actions(request.user, event)
    rows = []
    for offer in offers:
        form = bound.get(offer.name) or write_form(offer.write, event,
                                                   accounts=_accounts(request.user, event, offer.name))
        rows.append({"offer": offer, "form": form,
                     "url": reverse("observed-event-write", kwargs={"reference": event.activity.reference,
                                                                    "number": event.number, "name": offer.name})})
    context = {
        "event": event, "activity": event.activity, "offers": rows,
        "open_suspensions": [event.suspension] if event.suspension and event.suspension.is_open else [],
        "owed": event.owed_by_type(),
        "remediation": rev_selectors.event_remediation(event),
    }
    return render(request, "reversals/event_detail.html", context, status=status)


def observed_event_detail(request, reference, number):
    event = event_get_or_404(user=request.user, reference=reference, number=number)
    return event_page_render(request, event)


def _pressable(machine, name):
    spec = machine.writes.get(name)
    if spec is None or spec.internal or name in machine.timed_names:
        raise Http404(_("No such action."))
    return spec


@require_POST
@login_required
def observed_event_write(request, reference, number, name):
    spec = _pressable(EVENT, name)
    event = event_get_or_404(user=request.user, reference=reference, number=number)
    available_actions(request.user, event).require(name, spec.label.lower())
    form = write_form(spec, event, request.POST, request.FILES, accounts=_accounts(request.user, event, name))
    return form_run(
        request, form=form, call=lambda data: EVENT.call(name, event, user=request.user, **form.service_kwargs()),
        success=_("%(write)s: done.") % {"write": spec.label}, done_url=event_url(event),
        show_again=lambda: event_page_render(request, event, bound={name: form}),
    )


@require_POST
@login_required
def observed_event_notify(request, reference):
    activity = activity_get_or_404(user=request.user, reference=reference)
    # Offered but blocked (a methodology without reversal risk) is not offered: the page shows no form.
    offer = available_actions(request.user, activity).get("notify_observed_event")
    if offer is None or offer.blocked is not None:
        from pacm.common.errors import Refused

        params = {"write": "notify_observed_event", "what": _("notify an observed event")}
        raise Refused(_("You may not %(what)s here now.") % params, code="not_offered", params=params)
    form = ObservedEventNotifyForm(request.POST, prefix="observed")
    return form_submit(
        request, activity=activity, key="observed_event", form=form, anchor="observed-events",
        call=lambda data: services.observed_event_notify(activity=activity, user=request.user, **data),
        success=_("Observed event notified. The Supervisory Body instructs the registry to suspend the activity's "
                  "units (A6.4-STAN-METH-002 para 44)."),
    )


@require_POST
@login_required
def report_due_write(request, reference, number, name):
    from ..views.activity_page import activity_page_render, activity_url

    spec = _pressable(DUE, name)
    activity = activity_get_or_404(user=request.user, reference=reference)
    due = ReportDue.objects.select_related("activity").filter(activity=activity, number=number).first()
    if due is None:
        raise Http404(_("There is no such due date."))
    available_actions(request.user, due).require(name, spec.label.lower())
    form = write_form(spec, due, request.POST)
    return form_run(
        request, form=form, call=lambda data: DUE.call(name, due, user=request.user, **form.service_kwargs()),
        success=_("%(write)s: done.") % {"write": spec.label}, done_url=activity_url(activity, "report-dues"),
        show_again=lambda: activity_page_render(request, activity, bound={f"due-{due.number}-{name}": form}),
    )
