"""Which roles an organisation's administrators may give, by the organisation's kind.

A role here is a person's place inside their organisation (member, administrator); what the
organisation may do in the mechanism follows from its kind alone (pacm.parties.roles.ORG_KIND_ROLE)
and no administrator can change it. The Supervisory Body's members and alternates are elected by
the CMA (3/CMA.3 annex, RMP 4-5; rules.md §1): nobody adds or removes them here, so its kind
allows no role (docs/rules-coverage.md, people-1: the conservative reading).
"""
from pacm.parties.models import Organisation

MEMBER, ADMIN = "member", "admin"
ROLES = (MEMBER, ADMIN)

K = Organisation.Kind
ASSIGNABLE = {
    K.PARTICIPANT: frozenset(ROLES),
    K.DOE: frozenset(ROLES),
    K.DNA: frozenset(ROLES),
    K.SECRETARIAT: frozenset(ROLES),
    K.ADAPTATION_FUND: frozenset(ROLES),
    K.SB: frozenset(),
}


def assignable(kind):
    """The roles an administrator of an organisation of `kind` may give (none: not self-service)."""
    return ASSIGNABLE.get(kind, frozenset())


def role_of(membership):
    return ADMIN if membership.is_admin else MEMBER
