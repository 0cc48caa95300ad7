"""/account/tokens/: a logged-in person creates and revokes their own API tokens.

The secret is in the page that answers the creation, once; it is never stored or shown again
(the submission key's record keeps only the message, without the secret).
"""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common.errors import Refused, ServiceError
from pacm.common.forms import form_add_service_error
from pacm.common.submission import submit_once

from .forms import TokenCreateForm
from .tokens import TOKENS_MAX, api_token_create, api_token_revoke, tokens_of

LIST_MAX = 100  # live and revoked tokens shown, newest first (live ones are at most TOKENS_MAX)


@login_required
def tokens_page(request):
    form = TokenCreateForm(request.POST or None, prefix="token")
    created = []  # (token, secret) of this post, shown once

    def create():
        created.append(api_token_create(user=request.user, name=form.cleaned_data["name"]))
        return created[-1]

    if request.method == "POST" and form.is_valid():
        try:
            outcome = submit_once(
                request, form=form, call=create,
                done=lambda result: (reverse("api-tokens"),
                                     _("Token %(name)s created; its secret was shown once.") % {"name": result[0].name}),
            )
        except Refused:
            raise
        except ServiceError as error:
            form_add_service_error(form, error)
        else:
            if outcome.repeated:
                messages.info(request, outcome.message)
                return redirect(outcome.url)
    shown = created[-1] if created and request.method == "POST" else None
    context = {"form": TokenCreateForm(prefix="token") if shown else form,
               "tokens": list(tokens_of(request.user)[:LIST_MAX]), "created": shown, "tokens_max": TOKENS_MAX}
    return render(request, "api/tokens.html", context)


@require_POST
@login_required
def token_revoke(request, token_id):
    token = api_token_revoke(token_id=token_id, user=request.user)
    messages.success(request, _("Token %(name)s revoked: it opens nothing any more.") % {"name": token.name})
    return redirect("api-tokens")
