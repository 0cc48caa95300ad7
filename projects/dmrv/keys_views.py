"""/activities/<reference>/mrv-keys/: the activity's MRV signing keys (pacm issue 9).

Those `available_actions` offers the activity's `register_mrv_key` (its participants, while it is
registered) see the keys (id, organisation, creator, created, last used, revoked), register one (its
secret shown in the answer, this once) and, where `revoke_mrv_key` is offered, revoke one. Everyone
else: 404 if the activity is hidden from them, else 403.
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common.errors import Refused, ServiceError
from pacm.common.submission import submit_once
from pacm.engine.offers import available_actions

from ..views.activity_page import activity_get_or_404
from . import services
from .forms import MrvKeyCreateForm
from .selectors import keys_page


def _activity_managed(request, reference, write=services.REGISTER):
    """The activity and its offers, refused (403) before any input is read unless `write` is offered."""
    activity = activity_get_or_404(user=request.user, reference=reference)
    offers = available_actions(request.user, activity)
    offers.require(write, _("manage the MRV signing keys"))
    return activity, offers


def _register(request, activity, form):
    """(key, secret) of this post, or None (a repeat of the form, or a refusal shown on the form)."""
    made = []

    def register():
        made.append(services.mrv_key_register(activity=activity, user=request.user))
        return made[-1][0]

    try:
        outcome = submit_once(request, form=form, call=register, done=lambda key: (
            request.path, _("Key %(key_id)s registered; its secret was shown once.") % {"key_id": key.key_id}))
    except Refused:
        raise
    except ServiceError as error:
        form.add_error(None, error.message)
        return None, None
    return (made[-1] if made else None), outcome


@login_required
def mrv_keys(request, reference):
    activity, offers = _activity_managed(request, reference)
    form = MrvKeyCreateForm(request.POST or None)
    created = None
    if request.method == "POST" and form.is_valid():
        created, outcome = _register(request, activity, form)
        if outcome is not None and outcome.repeated:
            messages.info(request, outcome.message)
            return redirect(outcome.url)
    context = {"activity": activity, "form": MrvKeyCreateForm() if created else form, "created": created,
               "keys": keys_page(request, activity), "may_revoke": offers.has(services.REVOKE)}
    return render(request, "dmrv/keys.html", context)


@require_POST
@login_required
def mrv_key_revoke(request, reference, key_id):
    activity, _offers = _activity_managed(request, reference, services.REVOKE)
    try:
        key = services.mrv_key_revoke(activity=activity, key_id=key_id, user=request.user)
    except Refused:
        raise
    except ServiceError as error:
        if error.code == "mrv_key_unknown":
            raise Http404(error.message) from None
        messages.error(request, error.message)  # mrv_key_already_revoked: a second click, a stale page
    else:
        messages.success(request, _("Key %(key_id)s revoked: its signatures are refused from now on.")
                         % {"key_id": key.key_id})
    return redirect(reverse("mrv-keys", args=[activity.reference]))
