"""The matrix's entries for pacm.people and the demo clock (pacm issue 9), merged into ROUTES.

ama administers her own organisation (Kpone Green Energy) here: her people pages are hers; every
other organisation's are refused to everyone (nobody else in the scene is an administrator, and
the Supervisory Body's people are managed by nobody). The demo clock: the scene's database is no
demo, so its button is refused to everyone, the activity's own people included.
"""
import datetime
import secrets

from django.utils import timezone

from pacm.parties.models import Membership, Organisation
from pacm.people.models import Invitation
from pacm.people.services import invitation_token

from .authz import (
    AP,
    EVERYONE,
    NO_SUCH_ID,
    NOBODY,
    NOWHERE,
    POST_ONLY,
    Obj,
    Spec,
    Target,
    _nothing,
    _roles,
    activity_routes,
)


def _ama_admin(scene):
    world = scene.world
    Membership.objects.filter(user=world.ama, organisation=world.orgs["dev"]).update(is_admin=True)
    return world.orgs["dev"]


def _org_targets(scene, *, read=False):
    """ama's organisation (hers to administer) and every other one (nobody's here)."""
    mine = _ama_admin(scene)
    targets = [Target(label=f"{mine.name}'s people (ama administers it)", kwargs={"pk": mine.pk}, read=read,
                      obj=Obj(f"{mine.name}'s people", frozenset({"ama"}), {"ama": AP}), roles=frozenset({AP}))]
    for org in Organisation.objects.exclude(pk=mine.pk).order_by("pk"):
        targets.append(Target(label=f"{org.name}'s people", kwargs={"pk": org.pk}, obj=Obj(org.name, NOBODY)))
    return targets + [Target(label="no such organisation", kwargs={"pk": NO_SUCH_ID}, obj=NOWHERE)]


def _org_pages(scene):
    return _org_targets(scene, read=True)


def _member_targets(scene):
    """Each write on a member of another organisation (kofi of Savannah Carbon), refused to all; on
    ama's own, hers."""
    world = scene.world
    mine = _ama_admin(scene)
    out = []
    for write in ("disable", "enable", "role"):
        out.append(Target(label=f"{write} kofi at Savannah Carbon", obj=Obj("kofi's membership", NOBODY),
                          kwargs={"pk": world.orgs["dev2"].pk, "user_pk": world.kofi.pk, "write": write}))
        out.append(Target(label=f"{write} ama at {mine.name}", roles=frozenset({AP}),
                          obj=Obj("ama's membership", frozenset({"ama"}), {"ama": AP}),
                          kwargs={"pk": mine.pk, "user_pk": world.ama.pk, "write": write}))
    out.append(Target(label="disable sam at the secretariat", obj=Obj("sam's membership", NOBODY),
                      kwargs={"pk": world.orgs["sec"].pk, "user_pk": world.sam.pk, "write": "disable"}))
    return out


def _invitation_tokens(scene):
    """An open invitation's link opens for anyone who has it (the link is the credential); a
    forged or expired-looking one is refused."""
    token = getattr(scene, "people_invitation_token", None)
    if token is None:
        now = timezone.now()
        invitation = Invitation.objects.create(
            organisation=scene.world.orgs["dev"], email="matrix-invitee@example.org", role="member",
            nonce=secrets.token_hex(16), invited_by=scene.world.ama, created_at=now,
            expires_at=now + datetime.timedelta(days=7))
        token = scene.people_invitation_token = invitation_token(invitation)
    everyone = Obj("an open invitation's page", EVERYONE)
    return [Target(label="an open invitation's link", kwargs={"token": token}, obj=everyone, read=True),
            Target(label="a forged link", kwargs={"token": token[:-3] + "xyz"}, obj=NOWHERE),
            Target(label="a link that is none", kwargs={"token": "nonsense"}, obj=NOWHERE)]


def _reset_links(scene):
    """Django's reset-confirm page: anyone may open a link; a forged one only says it is not valid."""
    return [Target(label="a forged reset link", kwargs={"uidb64": "MQ", "token": "set-password"},
                   obj=Obj("a reset link's page", EVERYONE), read=True)]


def _invitation_revoke_targets(scene):
    """An open invitation of ama's organisation (hers to withdraw), and one of another organisation's,
    withdrawn by nobody (not even through her organisation's URL: it is not found there)."""
    world = scene.world
    mine = _ama_admin(scene)
    now = timezone.now()
    rows = {}
    for key, org in (("mine", mine), ("theirs", world.orgs["dev2"])):
        rows[key] = Invitation.objects.create(
            organisation=org, email=f"matrix-revoke-{key}@example.org", role="member", nonce=secrets.token_hex(16),
            invited_by=world.ama, created_at=now, expires_at=now + datetime.timedelta(days=7))
    return [
        Target(label=f"an open invitation of {mine.name}", roles=frozenset({AP}),
               obj=Obj("ama's organisation's invitation", frozenset({"ama"}), {"ama": AP}),
               kwargs={"pk": mine.pk, "invitation_pk": rows["mine"].pk}),
        Target(label="an invitation of Savannah Carbon", obj=Obj("kofi's organisation's invitation", NOBODY),
               kwargs={"pk": world.orgs["dev2"].pk, "invitation_pk": rows["theirs"].pk}),
        Target(label="another organisation's invitation through ama's", obj=NOWHERE,
               kwargs={"pk": mine.pk, "invitation_pk": rows["theirs"].pk}),
    ]


def _invite_post(kwargs, scene, persona):
    return {"email": f"matrix-{persona}@example.org", "role": "admin"}


def _member_post(kwargs, scene, persona):
    return {"role": "admin"}


PEOPLE_ROUTES = {
    # Password reset (Django's views): pages anyone opens; an empty POST sends nothing.
    "password_reset": Spec(page=True, post=_nothing),
    "password_reset_done": Spec(page=True, post=_nothing),
    "password_reset_confirm": Spec(fill=_reset_links, post=_nothing),
    "password_reset_complete": Spec(page=True, post=_nothing),
    # A person's own profile and notification settings (each person's own).
    "account": Spec(page=True, post=_nothing),
    "account-notifications": Spec(page=True, post=_nothing),
    # An organisation's people: its administrators only.
    "organisation-people": Spec(fill=_org_pages, post=_nothing),
    "organisation-invite": POST_ONLY(fill=_org_targets, post=_invite_post),
    "organisation-member-write": POST_ONLY(fill=_member_targets, post=_member_post),
    "organisation-invitation-revoke": POST_ONLY(fill=_invitation_revoke_targets, post=_nothing),
    "invitation-accept": Spec(fill=_invitation_tokens, post=lambda kw, s, p: {"username": f"matrix-{p}",
                                                                             "password": "Matrix-pass-2026!"}),
    # The demo clock: no demo here, so refused to everyone.
    "activity-demo-advance": POST_ONLY(fill=activity_routes(_roles()), post=_nothing),
}
