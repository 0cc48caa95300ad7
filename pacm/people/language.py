"""The language a person reads pacm in (pacm issue 9): kept on their profile, used for their pages
(the middleware below, after Django's LocaleMiddleware), and for what is sent to them when no request
is there to say it (notifications, e-mails, documents: `language_of`).

The header's switch posts to `language_set`, Django's `set_language` (the cookie, for everyone)
plus the profile for a signed-in person; on login the profile's language goes into the session,
so a page costs no query to know it.
"""
from django.conf import settings
from django.contrib.auth.signals import user_logged_in
from django.db import transaction
from django.dispatch import receiver
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from pacm.common.errors import ServiceError

from .models import Profile

SESSION_KEY = "pacm_language"


def language_known(code):
    return code in {c for c, _name in settings.LANGUAGES}


def language_of(user, default=None):
    """The language to write to `user` in: their profile's, else `default` (the site's by default)."""
    if user is not None and getattr(user, "pk", None):
        code = Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
        if code and language_known(code):
            return code
    return settings.LANGUAGE_CODE if default is None else default


def languages_of(users):
    """{user pk: language} for many people at once (one query)."""
    users = list(users)
    chosen = dict(Profile.objects.filter(user__in=users).exclude(language="").values_list("user_id", "language"))
    return {u.pk: chosen[u.pk] if language_known(chosen.get(u.pk)) else settings.LANGUAGE_CODE for u in users}


def person_language_set(*, user, language):
    """Keep `language` on the person's profile; an unknown code is refused."""
    if not language_known(language):
        raise ServiceError(translation.gettext("Choose one of the languages offered."), field="language",
                           code="language_unknown", params={"language": str(language)[:20]})
    with transaction.atomic():
        profile, _created = Profile.objects.update_or_create(user=user, defaults={"language": language})
    return profile


@require_POST
def language_set(request):
    """Django's set_language (cookie, redirect back to `next`), and the profile of a signed-in person."""
    response = set_language(request)
    code = request.POST.get("language")
    if language_known(code) and request.user.is_authenticated:
        person_language_set(user=request.user, language=code)
        request.session[SESSION_KEY] = code
    return response


@receiver(user_logged_in, dispatch_uid="pacm.people.language.on_login")
def _on_login(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    code = Profile.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
    if code and language_known(code):
        request.session[SESSION_KEY] = code
    else:
        request.session.pop(SESSION_KEY, None)


# What machines read answers in the site's language whatever the reader's: the API (its problem
# documents' detail included: the code and params are the stable part) and the exported files
# (CSV, XLSX, the AEF), whose headers, labels and numbers never change with a cookie.
API_PREFIX = "/api/"
MACHINE_READ_NAMES = ("export-", "aef-download")


def machine_read(request):
    match = getattr(request, "resolver_match", None)
    name = (match.url_name or "") if match is not None else ""
    return request.path.startswith(API_PREFIX) or name.startswith(MACHINE_READ_NAMES)


class ProfileLanguageMiddleware:
    """A signed-in person's profile language (kept in the session at login) wins over the cookie and
    the browser; without one, LocaleMiddleware's choice stands. The API and the exports are in the
    site's language (`machine_read`)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        session = getattr(request, "session", None)
        code = session.get(SESSION_KEY) if session is not None else None
        if code and language_known(code) and request.user.is_authenticated:
            _activate(request, code)
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if machine_read(request):
            _activate(request, settings.LANGUAGE_CODE)


def _activate(request, code):
    translation.activate(code)
    request.LANGUAGE_CODE = translation.get_language()
