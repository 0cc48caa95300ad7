"""Fixtures for the monitoring, issuance and registry pages: the issuance fixtures, a client per persona."""

import pytest
from django.urls import reverse

from tests.issuance.conftest import (  # noqa: F401 (fixtures)
    awaiting_confirmation,
    drive,
    period_dates,
    period_over,
    registered,
    submit,
)
from tests.web.conftest import as_user, form_actions, transition_buttons  # noqa: F401


def period_url(period, view="period-detail", **kw):
    return reverse(view, kwargs={"reference": period.activity.reference, "number": period.number, **kw})


def management(prefix, total, initial=0):
    """The management form fields a formset posts."""
    return {f"{prefix}-TOTAL_FORMS": str(total), f"{prefix}-INITIAL_FORMS": str(initial),
            f"{prefix}-MIN_NUM_FORMS": "0", f"{prefix}-MAX_NUM_FORMS": "1000"}


def issuance_post(*, units, lines, omge_rate="", preview=False):
    """POST data for the issuance request form; `lines` is [(account number, units, percent)]."""
    data = {"issue-units_requested": str(units), "issue-omge_rate": omge_rate, "issue-comment": "",
            **management("lines", max(len(lines), 1))}
    for i, (account, units_, percent) in enumerate(lines):
        data[f"lines-{i}-account"] = account
        data[f"lines-{i}-units"] = "" if units_ is None else str(units_)
        data[f"lines-{i}-percent"] = "" if percent is None else str(percent)
    data["preview" if preview else "submit"] = "1"
    return data


@pytest.fixture
def verified(world, registered, submit, drive):  # noqa: F811
    """Monitoring period 1 of the registered activity, verified at 30,000 (vintage of its start)."""
    from projects.cycle import PeriodState as P

    return drive(submit(registered), P.VERIFIED)


@pytest.fixture
def removals(world, registered):  # noqa: F811
    """The registered activity, its methodology turned into a removals one, rated low risk (policy.md §2)."""
    from projects.models import Activity

    methodology = registered.methodology_version.methodology
    methodology.kind = "removals"
    methodology.save()
    Activity.objects.filter(pk=registered.pk).update(risk_rating_percent=10)
    return Activity.objects.get(pk=registered.pk)


def claims_post(start, end, rows, *, report=True, comment=""):
    """POST data for the monitoring-report form; `rows` is [(vintage, quantity)]."""
    from tests import factories as f

    data = {"start": start.isoformat(), "end": end.isoformat(), "comment": comment,
            **management("claims", max(len(rows), 1))}
    for i, (vintage, quantity) in enumerate(rows):
        data[f"claims-{i}-vintage"] = "" if vintage is None else str(vintage)
        data[f"claims-{i}-quantity"] = "" if quantity is None else str(quantity)
    if report:
        data["report"] = f.pdf("monitoring.pdf")
    return data
