"""The pages the Board panel sits on, per subject kind: find the subject as its page does (a hidden
one stays hidden: 404), render the page again with a bound panel form, and its URL.

The activity and the monitoring period keep their own routes (views.py); the later kinds (a PoA,
a component project, a transition request, a renewal) share `board/<kind>/<pk>/...`.
"""
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from ..models import Activity


def _poa():
    from ..poa import views

    return (lambda user, pk: views._poa_or_404(user, _reference(Activity, pk)),
            lambda request, obj: views._poa_page(request, obj),
            lambda obj: views.poa_url(obj, "board"))


def _cp():
    from ..poa import views
    from ..poa.models import ComponentProject

    return (lambda user, pk: views._cp_or_404(user, _reference(ComponentProject, pk)),
            lambda request, obj: views._cp_page(request, obj),
            lambda obj: views.cp_url(obj, "board"))


def _transition():
    from ..transition import views

    return (lambda user, pk: views.request_get_or_404(user=user, pk=pk),
            lambda request, obj: views._page(request, obj),
            lambda obj: views.request_url(obj, "board"))


def _renewal():
    from ..renewals import views

    return (lambda user, pk: views.renewal_get_or_404(user=user, pk=pk),
            lambda request, obj: views._page(request, obj),
            lambda obj: views.renewal_url(obj) + "#board")


PAGES = {"poa": _poa, "component": _cp, "transition": _transition, "renewal": _renewal, "poa_renewal": _renewal,
         "cp_renewal": _renewal}


def _reference(model, pk):
    reference = model._base_manager.filter(pk=pk).values_list("reference", flat=True).first()
    if reference is None:
        raise Http404(_("No such record."))
    return reference


def page_of(kind_key):
    """(get_or_404(user, pk), render(request, subject), url(subject)) of a later kind, or Http404."""
    if kind_key not in PAGES:
        raise Http404(_("The Board does not decide on this kind of record."))
    return PAGES[kind_key]()


def panel_urls_of(kind_key, subject):
    kwargs = {"kind": kind_key, "pk": subject.pk}
    return {"record": reverse("board-subject-record", kwargs=kwargs), "open": reverse("board-subject-open", kwargs=kwargs)}
