"""API tokens: create (the secret is returned once), revoke, authenticate. Only the hash is stored."""
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common import bounds
from pacm.common.errors import Refused, ServiceError

from . import events
from .models import ApiToken

# "pacm_" + 40 URL-safe characters (240 bits); the prefix shown in lists is its first 12.
TOKEN_PREFIX = "pacm_"
PREFIX_SHOWN = 12
NAME_MAX = 100
# A person keeps at most this many live tokens (a bound, not a rule of the mechanism).
TOKENS_MAX = 20


def secret_hash(secret):
    return hashlib.sha256(secret.encode()).hexdigest()


def _owner_lock(user):
    """The person's row: the owner of the stream `person:<id>`, so its events stay in sequence."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.select_for_update().filter(pk=user.pk).first()


def api_token_create(*, user, name):
    """A new token for `user`: (row, secret). The secret is not kept and cannot be shown again."""
    if user is None or not user.is_authenticated or not user.is_active:
        raise Refused(_("Log in to create an API token."), code="login_required")
    name = bounds.text_required(name, field="name", message=_("Name the token (what will use it)."))
    if len(name) > NAME_MAX:
        raise ServiceError(_("Keep the name to %(max)s characters.") % {"max": NAME_MAX}, field="name",
                           code="too_long", params={"max": NAME_MAX})
    with transaction.atomic():
        _owner_lock(user)
        live = ApiToken.objects.select_for_update().filter(owner=user, revoked_at__isnull=True)
        if len(live) >= TOKENS_MAX:
            raise ServiceError(_("You have %(max)s live tokens: revoke one first.") % {"max": TOKENS_MAX},
                               field="name", code="api_tokens_max", params={"max": TOKENS_MAX})
        secret = TOKEN_PREFIX + secrets.token_urlsafe(30)
        token = ApiToken.objects.create(owner=user, name=name, prefix=secret[:PREFIX_SHOWN],
                                        secret_hash=secret_hash(secret))
        events.api_token_created(token=token, user=user)
    return token, secret


def api_token_revoke(*, token_id, user):
    """Revoke one of `user`'s tokens; another person's token is as unknown as a missing one."""
    with transaction.atomic():
        if user is not None and user.is_authenticated:
            _owner_lock(user)
        token = ApiToken.objects.select_for_update().filter(pk=token_id, owner=user).first()
        if token is None:
            raise Refused(_("You have no such token."), code="api_token_unknown")
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            events.api_token_revoked(token=token, user=user)
    return token


def api_token_authenticate(secret):
    """The live token whose secret this is, with its owner, or None; marks it used (once a minute)."""
    if not isinstance(secret, str) or not secret.startswith(TOKEN_PREFIX) or len(secret) > 100:
        return None
    token = (ApiToken.objects.select_related("owner").filter(secret_hash=secret_hash(secret),
                                                              revoked_at__isnull=True).first())
    if token is None or not token.owner.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or (now - token.last_used_at).total_seconds() >= 60:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


def tokens_of(user):
    return ApiToken.objects.filter(owner=user).order_by("-id")
