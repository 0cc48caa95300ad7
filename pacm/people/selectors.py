"""Reads for the profile and an organisation's people page (paginated, index-ordered)."""
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef

from pacm.parties.models import Membership

from .models import DisabledMember, Invitation

PAGE_SIZE = 25


def memberships_of(user):
    """The person's memberships, with their organisations, in one query."""
    return list(Membership.objects.filter(user=user).select_related("organisation").order_by("organisation__name", "pk"))


def members_page(organisation, page):
    rows = Membership.objects.filter(organisation=organisation).select_related("user").order_by("user__username", "pk")
    return Paginator(rows, PAGE_SIZE).get_page(page)


def disabled_members(organisation):
    return list(DisabledMember.objects.filter(organisation=organisation).select_related("user")
                .order_by("user__username", "pk")[:PAGE_SIZE])


def invitations_open(organisation, now):
    return list(Invitation.objects.filter(organisation=organisation, accepted_at__isnull=True,
                                               revoked_at__isnull=True, expires_at__gt=now)
                .order_by("-created_at", "-id")[:PAGE_SIZE])


def administers(user, organisation):
    return Membership.objects.filter(user=user, organisation=organisation, is_admin=True).exists()


def administered_q(user):
    """Annotation: is `user` an administrator of the row's organisation (one EXISTS)."""
    return Exists(Membership.objects.filter(user=user, organisation=OuterRef("organisation"), is_admin=True))
