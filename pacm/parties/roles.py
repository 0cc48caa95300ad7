"""Who may do what: the one tie resolver every check asks (rules.md §1).

A user acts through an organisation; the role follows from the organisation's kind and, for
subject-bound roles, from that organisation's tie to the subject (an activity, a monitoring
period, an account, ...). Each subject model declares its ties once (`Tie`, registered by its
machine); the same declaration answers as a predicate (`actor_for`, `roles_on`) and as a
queryset filter (`tie_q`) built from EXISTS subqueries, one per tie, so a list filtered by a
role never multiplies rows through joins. Deny by default: no tie found, no role.
"""
import enum
from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from .models import Organisation


class Role(enum.StrEnum):
    PARTICIPANT = "participant"  # activity participant of THIS activity
    DOE = "doe"  # the DOE engaged for THIS activity at this stage
    DNA = "dna"  # the DNA of THIS activity's host Party
    SECRETARIAT = "secretariat"
    SB = "sb"  # Supervisory Body member (or alternate)
    # The Supervisory Body deciding as a body (RMP 22): only a Board decision (projects.board)
    # fires as this role; no membership gives it to a person.
    BOARD = "board"
    ADAPTATION_FUND = "af"
    HOLDER = "holder"  # an organisation holding THIS registry account
    TIMER = "timer"  # the system clock: only timers fire as this role
    # A member of the public whose confirmed comment is published (projects.consultation):
    # nobody holds it through an organisation; only that one write runs as it.
    PUBLIC = "public"


ORG_KIND_ROLE = {
    Organisation.Kind.PARTICIPANT: Role.PARTICIPANT,
    Organisation.Kind.DOE: Role.DOE,
    Organisation.Kind.DNA: Role.DNA,
    Organisation.Kind.SECRETARIAT: Role.SECRETARIAT,
    Organisation.Kind.SB: Role.SB,
    Organisation.Kind.ADAPTATION_FUND: Role.ADAPTATION_FUND,
}
ORG_KIND_ROLE_REVERSE = {role: kind for kind, role in ORG_KIND_ROLE.items()}
# Roles nobody holds through an organisation: they act only as system actors.
SYSTEM_ROLES = frozenset({Role.TIMER, Role.BOARD, Role.PUBLIC})


@dataclass(frozen=True)
class Actor:
    """Who fired a change: a user acting through one organisation in one role, or the system."""

    user: object | None
    organisation: Organisation | None
    role: Role
    label: str = ""

    @property
    def name(self):
        if self.user is not None:
            return self.user.get_username()
        return self.label

    @property
    def is_system(self):
        return self.user is None

    @classmethod
    def timer(cls, name):
        return cls(user=None, organisation=None, role=Role.TIMER, label=f"timer:{name}")

    @classmethod
    def board(cls, decision_label):
        """The Supervisory Body as a body, acting on one recorded decision (projects.board)."""
        return cls(user=None, organisation=None, role=Role.BOARD, label=f"board:{decision_label}")


@dataclass(frozen=True)
class Tie:
    """How an organisation of `kind` holds `role` on a subject.

    `path` leads from the subject to an Organisation (a foreign key or a many-to-many), or, with
    `via_party`, to a Party whose organisations of `kind` hold the role (the host's DNA).
    No path: the role is mechanism-wide (the secretariat, the SB). `states` (values of the field
    at `state_path`) limit when the tie holds: the validation DOE before registration, say.
    """

    role: Role
    kind: str
    path: str | None = None
    via_party: bool = False
    states: frozenset | None = None
    state_path: str = "state"
    # Extra condition on the subject for this tie, as a Q (e.g. only non-draft activities).
    when: Q | None = None
    # A path from the organisation to the subject, for a role held through rows of it (the DNA
    # of each host Party of a multi-country PoA: "party__poa_hosts__poa"): no fan-out either.
    reverse: str | None = None


_TIES = {}


def ties_register(model, ties):
    """Declare the ties of a subject model (its machine does it, once)."""
    _TIES[model] = tuple(ties)


def ties_of(model):
    return _TIES.get(model, ())


def _orgs_for(user, tie, model):
    """The user's organisations of the tie's kind, correlated to the subject row (OuterRef)."""
    orgs = Organisation.objects.filter(memberships__user=user, kind=tie.kind)
    if tie.reverse:
        return orgs.filter(**{tie.reverse: OuterRef("pk")})
    if tie.path is None:
        return orgs
    if tie.via_party:
        return orgs.filter(party_id=OuterRef(tie.path))
    *hops, last = tie.path.split("__")
    owner = model
    for hop in hops:
        owner = owner._meta.get_field(hop).related_model
    field = owner._meta.get_field(last)
    if field.many_to_many:
        return orgs.filter(**{field.related_query_name(): OuterRef("__".join(hops) or "pk")})
    return orgs.filter(pk=OuterRef(tie.path))


def _tie_condition(tie):
    q = Q()
    if tie.states is not None:
        q &= Q(**{f"{tie.state_path}__in": list(tie.states)})
    if tie.when is not None:
        q &= tie.when
    return q


def user_kinds(user):
    """The kinds of the user's organisations (one query): a tie of another kind cannot hold."""
    if user is None or not user.is_authenticated or not user.is_active:
        return frozenset()
    return frozenset(Organisation.objects.filter(memberships__user=user).values_list("kind", flat=True))


def tie_exists(user, tie, model):
    """The tie's own filter on `model`: the user holds an organisation of the tie's kind tied to the row."""
    return Q(Exists(_orgs_for(user, tie, model))) & _tie_condition(tie)


def tie_q(user, model, roles=None, *, ties=None, kinds=None):
    """A filter on `model`: rows on which `user` holds one of `roles` (all roles if None).

    One EXISTS per tie, OR-ed: no join fans out, so no DISTINCT is needed. `ties` replaces the
    model's declared ties (visibility declares its own: who may see, not who may act). `kinds`
    (user_kinds) leaves out the ties of kinds the user has no organisation of: their EXISTS is
    false anyway, and a page that asks many such filters builds and sends much less SQL (issue 8).
    """
    if user is None or not user.is_authenticated or not user.is_active:
        return Q(pk__in=[])
    q = Q(pk__in=[])
    for tie in ties_of(model) if ties is None else ties:
        if roles is not None and tie.role not in roles:
            continue
        if kinds is not None and tie.kind not in kinds:
            continue
        q |= tie_exists(user, tie, model)
    return q


# The compiled statement of `_ties_row` per model and ties (pacm issue 8): its shape depends on the
# declarations only, so it is built once per process and then run with the user's and the subject's keys.
_TIES_SQL = {}
_USER_PROBE, _PK_PROBE = -918_273_645, -546_372_819


def _ties_query(user_pk, subject_pk, model, ties):
    from django.contrib.auth import get_user_model
    from django.db.models import Case, IntegerField, Subquery, When

    user = get_user_model()(pk=user_pk)
    annotations = {}
    for i, tie in enumerate(ties):
        org = Subquery(_orgs_for(user, tie, model).order_by("pk").values("pk")[:1], output_field=IntegerField())
        condition = _tie_condition(tie)
        annotations[f"tie_{i}"] = Case(When(condition, then=org), default=None) if condition else org
    return model._default_manager.filter(pk=subject_pk).annotate(**annotations).values_list(*annotations)[:1]


def _ties_row(user, subject, model, ties):
    """(organisation id or None per tie) for `user` on `subject`, in one statement."""
    from django.db import connection

    key = (connection.alias, connection.vendor, model, tuple(id(t) for t in ties))
    compiled = _TIES_SQL.get(key)
    if compiled is None:
        sql, params = _ties_query(_USER_PROBE, _PK_PROBE, model, ties).query.sql_with_params()
        users = [i for i, p in enumerate(params) if p == _USER_PROBE]
        pks = [i for i, p in enumerate(params) if p == _PK_PROBE]
        compiled = (sql, list(params), users, pks) if len(pks) == 1 and len(users) >= 1 else False
        _TIES_SQL[key] = compiled
    if not compiled or not isinstance(subject.pk, int) or not isinstance(user.pk, int):
        return next(iter(_ties_query(user.pk, subject.pk, model, ties)), None)
    sql, params, users, pks = compiled
    params = list(params)
    for i in users:
        params[i] = user.pk
    params[pks[0]] = subject.pk
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()


def roles_on(user, subject, roles=None):
    """{role: Actor} for each role `user` holds on `subject` now: one query for all its ties."""
    if user is None or not user.is_authenticated or not user.is_active:
        return {}
    model = type(subject)
    ties = [t for t in ties_of(model) if roles is None or t.role in roles]
    if not ties:
        return {}
    row = _ties_row(user, subject, model, ties)
    if row is None:
        return {}
    found = {}
    for i, tie in enumerate(ties):
        org_id = row[i]
        if org_id is not None and tie.role not in found:
            found[tie.role] = org_id
    # The organisations the subject's row already carries (a lock's select_related) are not read again.
    known = {o.pk: o for o in subject._state.fields_cache.values() if isinstance(o, Organisation)}
    missing = set(found.values()) - set(known)
    organisations = {**known, **(Organisation.objects.in_bulk(missing) if missing else {})}
    return {role: Actor(user=user, organisation=organisations[org_id], role=role) for role, org_id in found.items()}


def actor_for(user, subject, roles):
    """The first (organisation, role) through which `user` may act on `subject`, or None.

    Roles are tried in a fixed order so the same person always acts through the same role.
    """
    found = roles_on(user, subject, roles)
    for role in Role:
        if role in found:
            return found[role]
    return None


def user_organisations(user):
    if user is None or not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(memberships__user=user)


def user_roles(user):
    return frozenset(ORG_KIND_ROLE[o.kind] for o in user_organisations(user))


def actor_for_role(user, role):
    """An actor for a mechanism-wide role (secretariat, SB, AF) that no subject binds."""
    if user is None or not user.is_authenticated or not user.is_active:
        return None
    organisation = user_organisations(user).filter(kind=ORG_KIND_ROLE_REVERSE[role]).order_by("pk").first()
    if organisation is None:
        return None
    return Actor(user=user, organisation=organisation, role=role)


def organisations_of_user_q(user, field="organisation"):
    """A Q filter: rows whose `field` is one of the user's organisations."""
    return Q(**{f"{field}__memberships__user": user})


def _value(obj, path):
    for hop in path.split("__"):
        obj = getattr(obj, hop)
        if obj is None:
            return None
    return obj


def organisations_tied(subject, roles):
    """The organisations holding one of `roles` on `subject` now (who is told, who may act)."""
    model = type(subject)
    q = Q(pk__in=[])
    for tie in ties_of(model):
        if tie.role not in roles:
            continue
        if tie.states is not None and _value(subject, tie.state_path) not in tie.states:
            continue
        if tie.when is not None and not model._default_manager.filter(tie.when, pk=subject.pk).exists():
            continue
        kind = Q(kind=tie.kind)
        if tie.reverse:
            q |= kind & Q(**{tie.reverse: subject.pk})
            continue
        if tie.path is None:
            q |= kind
            continue
        *hops, last = tie.path.split("__")
        owner = _value(subject, "__".join(hops)) if hops else subject
        if owner is None:
            continue
        field = type(owner)._meta.get_field(last)
        if tie.via_party:
            q |= kind & Q(party_id=getattr(owner, field.attname))
        elif field.many_to_many:
            q |= kind & Q(pk__in=getattr(owner, last).values("pk"))
        else:
            q |= kind & Q(pk=getattr(owner, field.attname))
    return Organisation.objects.filter(q)
