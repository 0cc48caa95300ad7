"""The public registry's live totals (PROC-REGS-001 v02.1 para 74(a); procedures.md §2.2): units issued,
first transferred, cancelled by purpose and retired, by vintage and authorization status (AERs by
their authorization, MCUs as mitigation contributions).

Read from the maintained rows (models.RegistryTotal, kept by every move in its own statement:
services.totals), never from the blocks: one grouped query over at most (account kinds x statuses x
vintages x shards) rows, whatever the registry holds. Units in a retirement or cancellation account
never move again (7/CMA.4 annex I para 45), so what such an account's kind holds is what was retired
or cancelled into it.
"""
from django.db.models import Sum
from django.utils.translation import gettext_lazy as _

from .models import AccountKind, AuthorizationStatus, RegistryTotal

# The columns "cancelled by purpose" (para 74(a): by cancellation type and purpose), each an account kind.
CANCELLED = (
    (AccountKind.OMGE_MANDATORY, _("Mandatory OMGE cancellation")),
    (AccountKind.OMGE_VOLUNTARY, _("Voluntary OMGE cancellation")),
    (AccountKind.CANCELLATION_OIMP, _("Cancelled for OIMP")),
    (AccountKind.VOLUNTARY_CANCELLATION, _("Voluntary cancellation")),
    # Administrative cancellations and the cancellations from the buffer pool for reversals (STAN-METH-002 para 57).
    (AccountKind.ADMIN_CANCELLATION, _("Administrative cancellation (incl. remediation of reversals)")),
)
RETIRED = AccountKind.RETIREMENT
STATUS_LABELS = dict(AuthorizationStatus.choices)


def _blank():
    return {"issued": 0, "first_transferred": 0, "retired": 0, "cancelled": {kind: 0 for kind, _ in CANCELLED}}


def public_totals(*, vintage=None, status=None):
    """{"rows": [per (vintage, status) totals], "total": the sums}: one query over the maintained rows."""
    rows = RegistryTotal.objects.all()
    if vintage:
        rows = rows.filter(vintage=vintage)
    if status:
        rows = rows.filter(authorization_status=status)
    grouped = (rows.values("vintage", "authorization_status", "account_kind")
               .annotate(units=Sum("units"), issued=Sum("issued"), first=Sum("first_transferred"))
               .order_by())
    table, total = {}, _blank()
    for row in grouped:
        key = (row["vintage"], row["authorization_status"])
        cell = table.setdefault(key, _blank())
        for target in (cell, total):
            target["issued"] += row["issued"]
            target["first_transferred"] += row["first"]
            if row["account_kind"] == RETIRED:
                target["retired"] += row["units"]
            if row["account_kind"] in target["cancelled"]:
                target["cancelled"][row["account_kind"]] += row["units"]
    shown = []
    for (year, code), cell in sorted(table.items(), key=lambda item: (-item[0][0], item[0][1])):
        if not (cell["issued"] or cell["first_transferred"] or cell["retired"] or any(cell["cancelled"].values())):
            continue
        shown.append({"vintage": year, "status": code, "status_label": STATUS_LABELS.get(code, code),
                      **cell, "cancelled_list": [cell["cancelled"][kind] for kind, _ in CANCELLED],
                      "cancelled_total": sum(cell["cancelled"].values())})
    total["cancelled_list"] = [total["cancelled"][kind] for kind, _ in CANCELLED]
    total["cancelled_total"] = sum(total["cancelled"].values())
    return {"rows": shown, "total": total, "cancelled_labels": [label for _, label in CANCELLED]}
