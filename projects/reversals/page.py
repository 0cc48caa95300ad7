"""What the activity page shows of observed events, suspensions and due dates, and its forms."""
from django.urls import reverse

from pacm.engine.offers import available_actions

from . import selectors
from .forms import ObservedEventNotifyForm, write_form


def reversal_context(request, activity, offers, bound):
    notify_form = None
    if offers.observed_event_notify:
        notify_form = bound.get("observed_event") or ObservedEventNotifyForm(prefix="observed")
    dues = []
    for due in selectors.activity_report_dues(activity):
        due.activity = activity
        rows = []
        if request.user.is_authenticated:
            for offer in available_actions(request.user, due):
                key = f"due-{due.number}-{offer.name}"
                rows.append({"offer": offer, "form": bound.get(key) or write_form(offer.write, due),
                             "url": reverse("report-due-write", kwargs={"reference": activity.reference,
                                                                        "number": due.number, "name": offer.name})})
        dues.append({"due": due, "offers": rows})
    suspensions = selectors.activity_suspensions(activity)
    return {
        "observed_events": selectors.activity_observed_events(activity),
        "observed_event_form": notify_form,
        "suspensions": suspensions,
        "open_suspensions": [s for s in suspensions if s.is_open],
        "report_dues": dues,
    }
