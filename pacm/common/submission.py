"""One-time submission keys: a form sent twice takes effect once (issue 11, "Hard to break").

Every form that creates something carries a hidden key, new each time the form is rendered
(`SubmissionKeyMixin`). The view runs the service through `submit_once`, which claims the key by
inserting a `SubmissionKey` row in the same transaction as the service call:

- the first post inserts the row, runs the call, records where it sent the person and what it
  told them, and commits all of it together;
- a second post of the same key (a double click, a resent form, the back button) finds the row
  and gets the first post's redirect and message, with no second effect. Two posts at the same
  moment meet on the key's unique index: the second waits for the first to commit, then replays;
- a post that is refused (bad input, a rule) rolls back, the row with it, so the person can
  correct the form (which keeps its key) and send it again.

The whole block is rerun on a database conflict (`pacm.common.retry.conflict_retry`).

A post whose key is already used is answered before the view even runs
(`SubmissionReplayMiddleware`): after the first post the page may no longer offer the form (an
issuance request, once submitted, moves the period on), and the view's own checks would refuse
the repeat with a 403 instead of giving the first result.
"""
import re
import secrets
from dataclasses import dataclass

from django import forms
from django.conf import settings
from django.contrib import messages
from django.db import IntegrityError, transaction
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy

from .errors import ServiceError
from .models import SubmissionKey
from .retry import conflict_retry

FIELD = "submission_key"
API_PREFIX = "/api/"  # pacm.api.urls: the REST API's paths
KEY_PATTERN = re.compile(r"[A-Za-z0-9_-]{16,64}")
EXPIRED = gettext_lazy("This form has expired: reload the page and send it again.")
USED_ELSEWHERE = gettext_lazy("This form was already sent from another page: reload the page and send it again.")


def submission_key_new():
    return secrets.token_urlsafe(24)


class SubmissionKeyMixin:
    """A hidden one-time key on the form; put it first in the bases.

    After validation the key is in `form.submission_key` (never in `cleaned_data`, so a view
    that passes `**cleaned_data` to a service is unaffected). A bound form keeps the key it was
    posted with, so a refused post shown again can still be sent once.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields[FIELD] = forms.CharField(
            required=False, max_length=64, widget=forms.HiddenInput, initial=submission_key_new()
        )
        self.submission_key = ""

    def full_clean(self):
        super().full_clean()
        cleaned = getattr(self, "cleaned_data", None)
        if cleaned is None:
            return
        key = (cleaned.pop(FIELD, "") or "").strip()
        if (key and not KEY_PATTERN.fullmatch(key)) or (not key and settings.PACM_SUBMISSION_KEY_REQUIRED):
            self.add_error(None, EXPIRED)
            key = ""
        self.submission_key = key


@dataclass(frozen=True)
class Outcome:
    url: str
    message: str
    repeated: bool = False


def _claim(*, key, user, path):
    """Insert the key's row; if it exists already, the first submission's row (or refuse)."""
    try:
        with transaction.atomic():
            SubmissionKey.objects.create(key=key, user=user, path=path)
    except IntegrityError:
        first = SubmissionKey.objects.filter(key=key).first()
        if first is None or first.user_id != user.pk or first.path != path or not first.result_url:
            raise ServiceError(USED_ELSEWHERE, code="invalid") from None
        return first
    return None


def submit_once(request, *, form, call, done):
    """Run `call()` once per submission key of `form`; `done(result)` gives (url, message).

    Returns an Outcome (a repeat carries the first one's url and message). ServiceError and
    Refused from `call` propagate, with nothing written and the key free again.
    """
    key = getattr(form, "submission_key", "")
    user = getattr(request, "user", None)

    @conflict_retry
    def attempt():
        if key and user is not None and user.is_authenticated:
            first = _claim(key=key, user=user, path=request.path)
            if first is not None:
                return Outcome(first.result_url, first.message, repeated=True)
            url, message = done(call())
            SubmissionKey.objects.filter(key=key).update(result_url=str(url), message=str(message))
            return Outcome(str(url), str(message))
        url, message = done(call())
        return Outcome(str(url), str(message))

    return attempt()


def _posted_keys(request):
    return [value for name, value in request.POST.items()
            if (name == FIELD or name.endswith(f"-{FIELD}")) and KEY_PATTERN.fullmatch(value or "")]


class SubmissionReplayMiddleware:
    """A POST carrying a key this person already used on this URL gets the first result at once."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.method != "POST" or not getattr(request, "user", None) or not request.user.is_authenticated:
            return None
        if request.path.startswith(API_PREFIX):
            # The API's body is its own to read (a multipart upload, parsed here, could no longer be read
            # there: `body_not_json`); it has its own one-time key, the Idempotency-Key header.
            return None
        keys = _posted_keys(request)
        if not keys:
            return None
        first = (
            SubmissionKey.objects.filter(key__in=keys, user=request.user, path=request.path)
            .exclude(result_url="")
            .first()
        )
        if first is None:
            return None
        if first.message:
            messages.success(request, first.message)
        return redirect(first.result_url)
