"""The person's profile (/account/), an organisation's people page for its administrators, and
the invitation link. Every write goes through pacm.people.services; a refusal is a 403 (the
middleware), bad input a message on the page."""
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from pacm.common import bounds
from pacm.common.errors import Refused, ServiceError
from pacm.engine.machines import machines
from pacm.notifications import services as notification_services
from pacm.notifications.models import NotificationOptOut, email_enabled
from pacm.parties.models import Organisation

from . import language, policy, selectors, services
from .forms import AcceptForm, InviteForm, RoleForm
from .models import Invitation


def notification_kinds():
    """The kinds of notification a person may opt out of by e-mail: one per registered machine."""
    return sorted({m.name for m in machines()})


@login_required
def account(request):
    user = request.user
    memberships = selectors.memberships_of(user)
    opted_out = set(NotificationOptOut.objects.filter(user=user).values_list("machine", flat=True))
    return render(request, "people/account.html", {
        "memberships": [(m, policy.role_of(m)) for m in memberships],
        "email_enabled": email_enabled(user),
        "kinds": [(k, k not in opted_out) for k in notification_kinds()],
        "profile_language": language.language_of(user, default=""),
    })


@login_required
@require_POST
def account_notifications(request):
    kinds = notification_kinds()
    notification_services.notification_preference_set(
        user=request.user, email_enabled=request.POST.get("email_enabled") == "on",
        opted_out=[k for k in kinds if request.POST.get(f"kind_{k}") != "on"],
    )
    messages.success(request, _("Notification settings saved."))
    return redirect("account")


def _id(value):
    """A key the database can compare with, or a 404 (a huge id would otherwise be a 500)."""
    if not bounds.id_ok(value):
        raise Http404(_("No such row."))
    return value


def _organisation_admin(request, pk):
    organisation = get_object_or_404(Organisation, pk=_id(pk))
    services.admin_actor(user=request.user, organisation=organisation)  # refused: 403
    return organisation


@login_required
def organisation_people(request, pk, invite_form=None):
    organisation = _organisation_admin(request, pk)
    page = selectors.members_page(organisation, request.GET.get("page"))
    return render(request, "people/organisation.html", {
        "organisation": organisation, "page": page,
        "members": [(m, policy.role_of(m)) for m in page],
        "disabled": selectors.disabled_members(organisation),
        "invitations": selectors.invitations_open(organisation, timezone.now()),
        "invite_form": invite_form or InviteForm(), "roles": sorted(policy.assignable(organisation.kind)),
    }, status=400 if invite_form is not None else 200)


@login_required
@require_POST
def organisation_invite(request, pk):
    organisation = _organisation_admin(request, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        return organisation_people(request, pk, invite_form=form)
    try:
        services.member_invite(organisation=organisation, email=form.cleaned_data["email"],
                               role=form.cleaned_data["role"], user=request.user)
    except Refused:
        raise
    except ServiceError as error:
        form.add_error(error.field if error.field in form.fields else None, error.message)
        return organisation_people(request, pk, invite_form=form)
    messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
    return redirect("organisation-people", pk=organisation.pk)


MEMBER_WRITES = {"disable", "enable", "role"}


@login_required
@require_POST
def organisation_member_write(request, pk, user_pk, write):
    organisation = _organisation_admin(request, pk)
    if write not in MEMBER_WRITES:
        return redirect("organisation-people", pk=organisation.pk)
    member = get_object_or_404(get_user_model(), pk=_id(user_pk))
    try:
        if write == "disable":
            services.member_disable(organisation=organisation, member=member, user=request.user)
        elif write == "enable":
            services.member_enable(organisation=organisation, member=member, user=request.user)
        else:
            form = RoleForm(request.POST)
            if not form.is_valid():
                raise ServiceError(_("Choose a role."), field="role", code="role_invalid")
            services.member_role_assign(organisation=organisation, member=member, role=form.cleaned_data["role"],
                                        user=request.user)
    except Refused:
        raise
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("organisation-people", pk=organisation.pk)
    messages.success(request, _("Saved."))
    return redirect("organisation-people", pk=organisation.pk)


@login_required
@require_POST
def organisation_invitation_revoke(request, pk, invitation_pk):
    organisation = _organisation_admin(request, pk)
    invitation = get_object_or_404(Invitation, pk=_id(invitation_pk), organisation=organisation)
    try:
        services.invitation_revoke(invitation=invitation, user=request.user)
    except Refused:
        raise
    except ServiceError as error:
        messages.error(request, error.message)
        return redirect("organisation-people", pk=organisation.pk)
    messages.success(request, _("The invitation to %(email)s is withdrawn: its link no longer works.")
                     % {"email": invitation.email})
    return redirect("organisation-people", pk=organisation.pk)


def _invitation_signed_in(request, token, invitation):
    """The invited address already has a login: that person signs in, then joins with one press."""
    user = request.user
    signed_in_as_invitee = user.is_authenticated and (user.email or "").strip().lower() == invitation.email.lower()
    if request.method == "POST" and signed_in_as_invitee:
        try:
            services.invitation_accept_signed_in(token=token, user=user)
        except Refused:
            raise
        except ServiceError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("You joined %(organisation)s.") % {"organisation": invitation.organisation.name})
            return redirect("account")
    return render(request, "people/invitation_signed_in.html", {
        "invitation": invitation, "signed_in_as_invitee": signed_in_as_invitee,
        "login_url": f"{reverse('login')}?{urlencode({'next': request.path})}",
    }, status=400 if request.method == "POST" else 200)


def invitation_accept(request, token):
    """Anyone holding the link may open it (it is the credential); it works once, before it expires.
    An address that already has a login joins that login, once its person signs in."""
    invitation = services.invitation_for(token)  # refused: 403 with the reason
    if services.login_of(invitation.email) is not None:
        return _invitation_signed_in(request, token, invitation)
    form = AcceptForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_accept(token=token, username=form.cleaned_data["username"],
                                       password=form.cleaned_data["password"])
        except Refused:
            raise
        except ServiceError as error:
            form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Welcome to %(organisation)s: log in with your new username.") % {
                "organisation": invitation.organisation.name})
            return redirect("login")
    return render(request, "people/invitation.html", {"invitation": invitation, "form": form},
                  status=400 if request.method == "POST" else 200)
