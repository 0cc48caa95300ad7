"""A registered removals activity (A6.4-STAN-METH-002 v01.0), with the issuance fixtures."""
import pytest

from projects import services
from projects.models import Activity
from tests import factories as f
from tests.issuance.conftest import drive, period_dates, period_over, registered, submit  # noqa: F401


@pytest.fixture
def removals(world, registered):  # noqa: F811
    m = registered.methodology_version.methodology
    m.kind = "removals"
    m.save()
    Activity.objects.filter(pk=registered.pk).update(risk_rating_percent=10)  # a 10 % buffer (para 55)
    return Activity.objects.get(pk=registered.pk)


@pytest.fixture
def report(world, period_over):  # noqa: F811
    """Submit a removals report: {vintage: net removals}, {vintage: change in storage}."""

    def _report(activity, number, net, storage=None, user=None):
        start, end = period_dates(activity, number)
        period_over(end)
        return services.period_submit(
            activity=activity, user=user or world.ama, start=start, end=end, claims=net, storage=storage,
            report=f.pdf("monitoring.pdf"),
        )

    return _report


def year(activity, number):
    return period_dates(activity, number)[0].year


def certify(world, period, verified=None):
    services.period_start_verification(period=period, user=world.dora)
    services.document_upload(activity=period.activity, user=world.dora, kind="verification_report",
                             uploaded=f.pdf("ver.pdf"), period=period)
    return services.period_certify(period=period, user=world.dora,
                                   verified=verified or {c.vintage: c.claimed for c in period.claims.all()})
