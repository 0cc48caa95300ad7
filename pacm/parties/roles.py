"""Who may do what: the permission predicates every service asks (rules.md §1).

A user acts through an organisation; the role follows from the organisation's kind and, for
activity-bound roles, from that organisation's tie to the activity. Deny by default: a
predicate that does not find the tie answers no.
"""
import enum
from dataclasses import dataclass

from django.db.models import Q

from .models import Organisation


class Role(enum.StrEnum):
    PARTICIPANT = "participant"  # activity participant of THIS activity
    DOE = "doe"  # the DOE engaged for THIS activity at this stage
    DNA = "dna"  # the DNA of THIS activity's host Party
    SECRETARIAT = "secretariat"
    SB = "sb"  # Supervisory Body member
    ADAPTATION_FUND = "af"
    TIMER = "timer"  # the system clock: only timers fire as this role
    # The Supervisory Body deciding as a body (RMP 22): only a Board decision (projects.board)
    # fires as this role; no membership gives it to a person.
    BOARD = "board"


ORG_KIND_ROLE = {
    Organisation.Kind.PARTICIPANT: Role.PARTICIPANT,
    Organisation.Kind.DOE: Role.DOE,
    Organisation.Kind.DNA: Role.DNA,
    Organisation.Kind.SECRETARIAT: Role.SECRETARIAT,
    Organisation.Kind.SB: Role.SB,
    Organisation.Kind.ADAPTATION_FUND: Role.ADAPTATION_FUND,
}


@dataclass(frozen=True)
class Actor:
    """Who fired a change: a user acting through one organisation in one role, or a timer."""

    user: object | None
    organisation: Organisation | None
    role: Role
    label: str = ""

    @property
    def name(self):
        if self.user is not None:
            return self.user.get_username()
        return self.label

    @classmethod
    def timer(cls, name):
        return cls(user=None, organisation=None, role=Role.TIMER, label=f"timer:{name}")


def user_organisations(user):
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user)


def user_roles(user):
    return frozenset(ORG_KIND_ROLE[o.kind] for o in user_organisations(user))


def _tie(activity, organisation, role):
    """Whether this organisation holds this role for this activity."""
    if role == Role.PARTICIPANT:
        return organisation.kind == Organisation.Kind.PARTICIPANT and activity.participants.filter(
            pk=organisation.pk
        ).exists()
    if role == Role.DOE:
        return organisation.kind == Organisation.Kind.DOE and organisation.pk in activity.engaged_doe_ids()
    if role == Role.DNA:
        return organisation.kind == Organisation.Kind.DNA and organisation.party_id == activity.host_party_id
    if role == Role.SECRETARIAT:
        return organisation.kind == Organisation.Kind.SECRETARIAT
    if role == Role.SB:
        return organisation.kind == Organisation.Kind.SB
    if role == Role.ADAPTATION_FUND:
        return organisation.kind == Organisation.Kind.ADAPTATION_FUND
    return False


def actor_for(user, activity, roles):
    """The first (organisation, role) through which `user` may act on `activity`, or None."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    wanted = {ORG_KIND_ROLE_REVERSE[r] for r in roles if r in ORG_KIND_ROLE_REVERSE}
    for organisation in user_organisations(user).filter(kind__in=wanted).order_by("pk"):
        role = ORG_KIND_ROLE[organisation.kind]
        if role in roles and _tie(activity, organisation, role):
            return Actor(user=user, organisation=organisation, role=role)
    return None


def actor_for_role(user, role):
    """An actor for a mechanism-wide role (secretariat, SB, AF) that no activity binds."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    organisation = user_organisations(user).filter(kind=ORG_KIND_ROLE_REVERSE[role]).order_by("pk").first()
    if organisation is None:
        return None
    return Actor(user=user, organisation=organisation, role=role)


ORG_KIND_ROLE_REVERSE = {role: kind for kind, role in ORG_KIND_ROLE.items()}


def organisations_of_user_q(user, field="organisation"):
    """A Q filter: rows whose `field` is one of the user's organisations."""
    return Q(**{f"{field}__memberships__user": user})
