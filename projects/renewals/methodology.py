"""The methodology an updated design document applies at renewal (A6.4-STAN-AC-002 v01.0 paras 163-168;
A6.4-STAN-METH-002 v01.0 para 35; docs/rules-coverage.md renewal-12 to renewal-15).

Para 163(a): the valid version of the registered methodology, "either the latest version at the time of
the submission of the request for renewal or the previous version if the submission ... is still within
the grace period of the previous version": a version is valid on a day when it is approved and that day
is within its `valid_from`..`valid_to` (the grace period ends a superseded version's `valid_to`).
STAN-METH-002 para 35 (removals): the latest version only, no grace. Para 163(b)-(c): another
methodology (a consolidated one, or another applicable one) with the reason stated. Each check is
None or a `Blocked`, read at the request (`renewal_request`) and again at the DOE's submission (guard
`renewal_methodology_in_force`), the day para 163(a) names.
"""
from django.utils import timezone
from django.utils.translation import gettext as _

from methodologies.models import MethodologyVersion
from pacm.engine.declarations import Blocked


def _registered(subject):
    """The methodology version of the registered design: the PoA's for a CP (STAN-AC-004 para 207)."""
    from ..poa.models import ComponentProject

    owner = subject.poa if isinstance(subject, ComponentProject) else subject
    return owner.methodology_version


def latest_in_force(methodology, on_date):
    """The approved version valid on `on_date` that came into force last, or None."""
    candidates = MethodologyVersion.objects.filter(
        methodology=methodology, status=MethodologyVersion.Status.APPROVED, valid_from__lte=on_date,
    ).exclude(valid_to__lt=on_date).order_by("-valid_from", "-pk")
    return candidates.first()


def removals(subject):
    return _registered(subject).methodology.kind == "removals"


def version_problem(subject, version, on_date, *, change_reason=""):
    """Why `version` may not be applied by the renewal of `subject` on `on_date` (None: it may)."""
    registered = _registered(subject)
    params = {"version": str(version), "date": on_date.isoformat()}
    if version.methodology_id != registered.methodology_id:
        # Para 163(b)-(c): a consolidated or another applicable methodology, with its reason.
        if not (change_reason or "").strip():
            params["registered"] = registered.methodology.code
            return Blocked(code="renewal_methodology_change_reason", params=params, message=_(
                "%(version)s is not the registered methodology %(registered)s: say why another methodology is applied "
                "(withdrawn and consolidated, or no longer applicable: A6.4-STAN-AC-002 para 163(b)-(c)).") % params)
        scope = subject.sectoral_scope
        if scope is not None and not version.methodology.sectoral_scopes.filter(pk=scope.pk).exists():
            params["scope"] = scope.number
            return Blocked(code="renewal_methodology_scope", params=params, message=_(
                "%(version)s is not a methodology of sectoral scope %(scope)s (A6.4-STAN-AC-002 para 163(c)(i): "
                "another applicable approved methodology).") % params)
    if not version.is_applicable_on(on_date):
        return Blocked(code="renewal_methodology_not_valid", params=params, message=_(
            "%(version)s is not an approved version valid on %(date)s: the updated design document applies the valid "
            "version of the methodology (A6.4-STAN-AC-002 para 163(a); RMP 32).") % params)
    latest = latest_in_force(version.methodology, on_date)
    if latest is not None and latest.pk != version.pk and removals(subject):
        params["latest"] = str(latest)
        return Blocked(code="renewal_methodology_not_latest", params=params, message=_(
            "%(version)s is not the latest version in force on %(date)s: a renewal of an activity with removals "
            "applies the latest version, %(latest)s (A6.4-STAN-METH-002 para 35).") % params)
    return None


def default_version(subject, on_date=None):
    """The latest version in force of the registered methodology (para 163(a)); a Blocked if none."""
    on_date = on_date or timezone.localdate()
    registered = _registered(subject)
    latest = latest_in_force(registered.methodology, on_date)
    if latest is None:
        params = {"methodology": registered.methodology.code, "date": on_date.isoformat()}
        return Blocked(code="renewal_methodology_none_in_force", params=params, message=_(
            "No version of %(methodology)s is approved and valid on %(date)s: name the consolidated or other "
            "applicable methodology the updated design document applies (A6.4-STAN-AC-002 para 163(b)-(c)).")
            % params)
    return latest


def renewal_methodology_in_force(renewal):
    """Guard of the DOE's submission: the version named is still valid that day (para 163(a))."""
    if renewal.methodology_version_id is None:
        return None  # opened before the rule was recorded (renewal-12)
    return version_problem(renewal.subject, renewal.methodology_version, timezone.localdate(),
                           change_reason=renewal.methodology_change)
