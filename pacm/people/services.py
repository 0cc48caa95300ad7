"""An organisation's administrators manage its own people: invite, accept, disable, re-enable,
assign a role. One function per write, keyword-only; each locks the organisation (the owner of
the stream `organisation:<id>`), checks that the person is an administrator of *that*
organisation, refuses what its kind does not allow (pacm.people.policy), writes, and records one
typed event. Deny by default: no administrator membership in the organisation, no write."""
import datetime
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model, password_validation
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import EventKind
from pacm.events.services import event_record
from pacm.parties.models import Membership, Organisation
from pacm.parties.roles import ORG_KIND_ROLE, Actor

from . import policy
from .models import DisabledMember, Invitation

SALT = "pacm.people.invitation"
EMAIL_MAX = 254


def stream_of(organisation):
    return f"organisation:{organisation.pk}"


def _lock(organisation):
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _actor(user, organisation):
    return Actor(user=user, organisation=organisation, role=ORG_KIND_ROLE[organisation.kind])


def admin_actor(*, user, organisation):
    """The actor through which `user` administers `organisation`; refused unless they are one of
    its administrators and its kind lets administrators manage people."""
    if user is None or not user.is_authenticated or not user.is_active or not Membership.objects.filter(
        user=user, organisation=organisation, is_admin=True
    ).exists():
        raise Refused(_("Only an administrator of %(organisation)s may manage its people.") % {
            "organisation": organisation.name}, code="not_org_admin", params={"organisation": organisation.pk})
    if not policy.assignable(organisation.kind):
        raise Refused(_("The people of %(organisation)s are not managed here.") % {"organisation": organisation.name},
                      code="kind_not_self_service", params={"kind": organisation.kind})
    return _actor(user, organisation)


def _role_check(organisation, role):
    if role not in policy.assignable(organisation.kind):
        raise Refused(_("'%(role)s' is not a role a %(kind)s can give.") % {
            "role": role, "kind": organisation.get_kind_display()},
            code="role_not_allowed", params={"role": role, "kind": organisation.kind})


def _membership(organisation, member):
    row = Membership.objects.select_related("user").filter(organisation=organisation, user=member).first()
    if row is None:
        raise ServiceError(_("%(name)s is not a member of %(organisation)s.") % {
            "name": member.get_username(), "organisation": organisation.name}, code="not_member")
    return row


def _last_admin_check(organisation, membership):
    if membership.is_admin and not Membership.objects.filter(organisation=organisation, is_admin=True).exclude(
        pk=membership.pk
    ).exists():
        raise ServiceError(_("%(name)s is the last administrator of %(organisation)s: make someone else one first.")
                           % {"name": membership.user.get_username(), "organisation": organisation.name},
                           code="last_admin")


def invitation_token(invitation):
    return signing.dumps({"i": invitation.pk, "n": invitation.nonce}, salt=SALT)


def member_invite(*, organisation, email, role, user):
    """Invite `email` to join as `role`; the e-mail with the signed link goes on commit.
    Returns (invitation, token)."""
    email = (email or "").strip()
    try:
        if len(email) > EMAIL_MAX:
            raise ValidationError(_("Give a valid e-mail address."))
        validate_email(email)
    except ValidationError:
        raise ServiceError(_("Give a valid e-mail address."), field="email", code="email_invalid") from None
    with transaction.atomic():
        organisation = _lock(organisation)
        actor = admin_actor(user=user, organisation=organisation)
        _role_check(organisation, role)
        if Membership.objects.filter(organisation=organisation, user__email__iexact=email).exists():
            raise ServiceError(_("Someone with that e-mail address is already a member."), field="email",
                               code="already_member")
        now = timezone.now()
        invitation = Invitation.objects.create(
            organisation=organisation, email=email, role=role, nonce=secrets.token_hex(16), invited_by=user,
            created_at=now, expires_at=now + datetime.timedelta(days=settings.PACM_INVITATION_DAYS),
        )
        event_record(stream=stream_of(organisation), kind=EventKind.PEOPLE_INVITED, actor=actor, payload={
            "invitation": invitation.pk, "email": email, "role": role, "expires_at": invitation.expires_at.isoformat()})
        token = invitation_token(invitation)
        from .tasks import invitation_email

        transaction.on_commit(lambda: invitation_email.delay(invitation.pk, token), robust=True)
    return invitation, token


def invitation_for(token):
    """The invitation a link names, still open; refused when tampered with, expired or used."""
    try:
        data = signing.loads(token, salt=SALT, max_age=datetime.timedelta(days=settings.PACM_INVITATION_DAYS))
        pk, nonce = int(data["i"]), str(data["n"])
    except signing.SignatureExpired:
        raise Refused(_("This invitation has expired: ask for a new one."), code="invitation_expired") from None
    except (signing.BadSignature, KeyError, TypeError, ValueError):
        raise Refused(_("This invitation link is not valid."), code="invitation_invalid") from None
    invitation = Invitation.objects.select_related("organisation").filter(pk=pk, nonce=nonce).first()
    if invitation is None:
        raise Refused(_("This invitation link is not valid."), code="invitation_invalid")
    if invitation.accepted_at is not None:
        raise Refused(_("This invitation has already been used."), code="invitation_used")
    if invitation.revoked_at is not None:
        raise Refused(_("This invitation was withdrawn by an administrator of %(organisation)s: ask them for a new "
                        "one if you should join.") % {"organisation": invitation.organisation.name},
                      code="invitation_revoked")
    if invitation.expires_at <= timezone.now():
        raise Refused(_("This invitation has expired: ask for a new one."), code="invitation_expired")
    return invitation


def login_of(email):
    """The login that already carries `email` (any, active or not), or None: an invitation to it
    joins that login rather than creating a second one."""
    return get_user_model().objects.filter(email__iexact=(email or "").strip()).order_by("pk").first()


def _login_exists_error(invitation):
    return ServiceError(_("%(email)s already has a login: sign in as that person to accept the invitation.")
                        % {"email": invitation.email}, code="login_exists")


def invitation_accept(*, token, username, password):
    """The invited person creates their login and joins with the invited role. Returns the user.
    Refused when the invited address already has a login (invitation_accept_signed_in joins it)."""
    User = get_user_model()
    username = (username or "").strip()
    invitation = invitation_for(token)
    if login_of(invitation.email) is not None:
        raise _login_exists_error(invitation)
    candidate = User(username=username, email=invitation.email)
    try:
        User._meta.get_field("username").run_validators(username)
        if not username:
            raise ValidationError(_("Choose a username."))
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages), field="username", code="username_invalid") from None
    try:
        password_validation.validate_password(password or "", candidate)
    except ValidationError as error:
        raise ServiceError(" ".join(error.messages), field="password", code="password_invalid") from None
    with transaction.atomic():
        organisation = _lock(invitation.organisation)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise Refused(_("This invitation has already been used."), code="invitation_used")
        if login_of(invitation.email) is not None:
            raise _login_exists_error(invitation)
        if User.objects.filter(username__iexact=username).exists():
            raise ServiceError(_("That username is taken: choose another."), field="username", code="username_taken")
        # An administrator may have lost the right to give this role since (a kind's policy).
        _role_check(organisation, invitation.role)
        try:
            with transaction.atomic():
                user = User.objects.create_user(username=username, email=invitation.email, password=password)
        except IntegrityError:
            raise ServiceError(_("That username is taken: choose another."), field="username",
                               code="username_taken") from None
        Membership.objects.create(user=user, organisation=organisation, is_admin=invitation.role == policy.ADMIN)
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        event_record(stream=stream_of(organisation), kind=EventKind.PEOPLE_JOINED, actor=_actor(user, organisation),
                     payload={"invitation": invitation.pk, "member": user.get_username(), "role": invitation.role})
    return user


def invitation_accept_signed_in(*, token, user):
    """The invited person, signed in with the login that carries the invited address, joins with
    the invited role: the membership goes to that login, no second user is made. Returns the user."""
    invitation = invitation_for(token)
    if user is None or not user.is_authenticated or not user.is_active:
        raise Refused(_("Sign in to accept the invitation."), code="login_required")
    if (user.email or "").strip().lower() != invitation.email.strip().lower():
        raise Refused(_("This invitation is for %(email)s: sign in as that person to accept it.")
                      % {"email": invitation.email}, code="invitation_other_login")
    with transaction.atomic():
        organisation = _lock(invitation.organisation)
        invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if invitation.accepted_at is not None:
            raise Refused(_("This invitation has already been used."), code="invitation_used")
        if invitation.revoked_at is not None:
            raise Refused(_("This invitation was withdrawn by an administrator of %(organisation)s.")
                          % {"organisation": organisation.name}, code="invitation_revoked")
        _role_check(organisation, invitation.role)
        if Membership.objects.filter(organisation=organisation, user=user).exists():
            raise ServiceError(_("You are already a member of %(organisation)s.") % {"organisation": organisation.name},
                               code="already_member")
        if DisabledMember.objects.filter(organisation=organisation, user=user).exists():
            # Disabled by an administrator: only an administrator brings them back (member_enable).
            raise Refused(_("An administrator of %(organisation)s disabled you there: ask them to re-enable you.")
                          % {"organisation": organisation.name}, code="member_disabled")
        Membership.objects.create(user=user, organisation=organisation, is_admin=invitation.role == policy.ADMIN)
        invitation.accepted_at, invitation.accepted_by = timezone.now(), user
        invitation.save(update_fields=["accepted_at", "accepted_by"])
        event_record(stream=stream_of(organisation), kind=EventKind.PEOPLE_JOINED, actor=_actor(user, organisation),
                     payload={"invitation": invitation.pk, "member": user.get_username(), "role": invitation.role,
                              "existing_login": True})
    return user


def invitation_revoke(*, invitation, user):
    """Withdraw an invitation not used yet: its link is refused from now on."""
    with transaction.atomic():
        organisation = _lock(invitation.organisation)
        actor = admin_actor(user=user, organisation=organisation)
        invitation = Invitation.objects.select_for_update().filter(pk=invitation.pk, organisation=organisation).first()
        if invitation is None:
            raise ServiceError(_("No such invitation."), code="invitation_invalid")
        if invitation.accepted_at is not None:
            raise ServiceError(_("%(email)s has already accepted: disable the member instead.")
                               % {"email": invitation.email}, code="invitation_used")
        if invitation.revoked_at is not None:
            raise ServiceError(_("That invitation was already withdrawn."), code="invitation_revoked")
        invitation.revoked_at, invitation.revoked_by = timezone.now(), user
        invitation.save(update_fields=["revoked_at", "revoked_by"])
        event_record(stream=stream_of(organisation), kind=EventKind.PEOPLE_INVITATION_REVOKED, actor=actor,
                     payload={"invitation": invitation.pk, "email": invitation.email, "role": invitation.role})
    return invitation


def _sign_out_everywhere(member):
    """End the member's sessions and revoke their live API tokens (through the tokens' own service):
    a token or a session acts with all of a person's memberships, so neither is kept once an
    administrator disabled them (docs/rules-coverage.md, people-2). Returns (sessions, tokens)."""
    from pacm.api.models import ApiToken
    from pacm.api.tokens import api_token_revoke

    from .sessions import sessions_end

    live = list(ApiToken.objects.filter(owner=member, revoked_at__isnull=True).values_list("pk", flat=True))
    for token_id in live:
        api_token_revoke(token_id=token_id, user=member)
    return sessions_end(member), len(live)


def member_disable(*, organisation, member, user):
    """Take `member` out of the organisation (every role through it ends now); kept for re-enabling.
    Their sessions end and their API tokens are revoked."""
    with transaction.atomic():
        organisation = _lock(organisation)
        actor = admin_actor(user=user, organisation=organisation)
        membership = _membership(organisation, member)
        _last_admin_check(organisation, membership)
        if membership.is_alternate or hasattr(membership, "alternate"):
            raise ServiceError(_("A Supervisory Body seat is not disabled here."), code="kind_not_self_service")
        DisabledMember.objects.create(user=member, organisation=organisation, was_admin=membership.is_admin,
                                      disabled_at=timezone.now(), disabled_by=user)
        was_admin = membership.is_admin
        membership.delete()
        sessions, tokens = _sign_out_everywhere(member)
        event_record(stream=stream_of(organisation), kind=EventKind.PEOPLE_DISABLED, actor=actor,
                     payload={"member": member.get_username(), "was_admin": was_admin,
                              "sessions_ended": sessions, "tokens_revoked": tokens})


def member_enable(*, organisation, member, user):
    """Bring a disabled member back, as a member (an administrator's role is given again by hand)."""
    with transaction.atomic():
        organisation = _lock(organisation)
        actor = admin_actor(user=user, organisation=organisation)
        row = DisabledMember.objects.filter(organisation=organisation, user=member).first()
        if row is None:
            raise ServiceError(_("%(name)s is not a disabled member of %(organisation)s.") % {
                "name": member.get_username(), "organisation": organisation.name}, code="not_disabled")
        row.delete()
        Membership.objects.create(user=member, organisation=organisation, is_admin=False)
        event_record(stream=stream_of(organisation), kind=EventKind.PEOPLE_ENABLED, actor=actor,
                     payload={"member": member.get_username(), "role": policy.MEMBER})


def member_role_assign(*, organisation, member, role, user):
    """Give `member` the role `role` within the organisation (member or administrator)."""
    with transaction.atomic():
        organisation = _lock(organisation)
        actor = admin_actor(user=user, organisation=organisation)
        _role_check(organisation, role)
        membership = _membership(organisation, member)
        before = policy.role_of(membership)
        if before == role:
            raise ServiceError(_("%(name)s is already %(role)s.") % {"name": member.get_username(), "role": role},
                               code="role_unchanged")
        if role != policy.ADMIN:
            _last_admin_check(organisation, membership)
        membership.is_admin = role == policy.ADMIN
        membership.save(update_fields=["is_admin"])
        event_record(stream=stream_of(organisation), kind=EventKind.PEOPLE_ROLE_ASSIGNED, actor=actor,
                     payload={"member": member.get_username(), "from_role": before, "to_role": role})
