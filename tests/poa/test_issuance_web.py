"""The PoA page's monitoring form (a batch of CPs, per CP per vintage), the verification DOE's form,
and the CP page's liability with the DOE's settlement form (PROC-AC-003 v03.0 paras 139, 203, 217-220)."""
from pacm.events.models import Event
from projects.cycle import PeriodState as P
from projects.models import MonitoringPeriod
from projects.poa.cycle import LiabilityState as L
from projects.poa.models import ComponentClaim, InclusionLiability

from .. import factories as f
from .issuance_world import batch, drive, poa_world  # noqa: F401  (poa_world: the fixture pw)
from .test_liability import _doe_account, _exclude


def _batch_post(pw, lines):
    return {"batch-start": pw.period1[0].isoformat(), "batch-end": pw.period1[1].isoformat(), "batch-lines": lines,
            "batch-report": f.pdf("poa-monitoring.pdf")}


def test_the_cme_submits_a_batch_from_the_poa_page(world, pw, client):
    client.force_login(world.ama)
    url = f"/poas/{pw.poa.reference}/"
    page = client.get(url).content.decode()
    assert 'action="/poas/' + pw.poa.reference + '/monitoring/"' in page
    gh, ke = pw.cps["gh"].reference, pw.cps["ke"].reference
    response = client.post(url + "monitoring/", _batch_post(pw, f"{gh}, {pw.y1}, 10 000\n{ke}, {pw.y2}, 500"))
    assert response.status_code == 302
    period = MonitoringPeriod.objects.get(activity_id=pw.poa.pk)
    assert sorted(ComponentClaim.objects.filter(period=period).values_list("component__reference", "vintage",
                                                                           "claimed")) == [
        (gh, pw.y1, 10_000), (ke, pw.y2, 500)]
    page = client.get(url).content.decode()
    assert f'href="/cps/{gh}/"' in page and "10,000" in page


def test_bad_lines_and_refused_batches_change_nothing(world, pw, client):
    client.force_login(world.ama)
    url = f"/poas/{pw.poa.reference}/monitoring/"
    before = Event.objects.filter(stream=pw.poa.stream).count()
    for lines, message in (("CP, two thousand, 5", "Line 1"),
                           (f"{pw.cps['gh'].reference}, {pw.y1}, 10\n{pw.cps['gh'].reference}, 1200, 5", "Line 2"),
                           ("A64-P999999-CP0001, 2027, 10", "not a component project of this PoA")):
        response = client.post(url, _batch_post(pw, lines))
        assert response.status_code == 200 and message in response.content.decode()
    assert not MonitoringPeriod.objects.filter(activity_id=pw.poa.pk).exists()
    assert Event.objects.filter(stream=pw.poa.stream).count() == before


def test_others_may_not_submit_a_batch(world, pw, client):
    gh = pw.cps["gh"].reference
    for user in (world.kofi, world.dora, world.dina):
        client.force_login(user)
        response = client.post(f"/poas/{pw.poa.reference}/monitoring/", _batch_post(pw, f"{gh}, {pw.y1}, 10"))
        assert response.status_code == 403
    assert not MonitoringPeriod.objects.filter(activity_id=pw.poa.pk).exists()


def test_the_doe_settles_its_liability_from_the_cp_page(world, pw, client, django_capture_on_commit_callbacks):
    drive(world, batch(world, pw, {"gh": {pw.y1: 10_000}, "ke": {pw.y1: 8_000}}), P.ISSUED,
          django_capture_on_commit_callbacks)
    cp = pw.cps["gh"]
    _exclude(world, cp)
    liability = InclusionLiability.objects.get(component=cp)
    account = _doe_account(world, units=10_000)
    url = f"/cps/{cp.reference}/"
    page = client.get(url).content.decode()  # public: the record, no form
    assert "10,000" in page and "Orbis Assurance" in page and "liability/settle/" not in page
    client.force_login(world.dora)
    assert client.post(url + "liability/settle/", {"settle-from_account": account.pk}).status_code == 403
    client.force_login(world.otto)
    assert "liability/settle/" in client.get(url).content.decode()
    response = client.post(url + "liability/settle/", {"settle-from_account": account.pk})
    assert response.status_code == 302
    assert InclusionLiability.objects.get(pk=liability.pk).state == L.SETTLED
