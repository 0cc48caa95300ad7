"""Monitoring and issuance for a PoA, per batch of CPs (A6.4-PROC-AC-003 v03.0 paras 217-222).

A two-country PoA (Ghana; Kenya, an LDC here) with three included CPs (CP0001 and CP0003 in Ghana,
CP0002 in Kenya); the first monitoring period is split into two batches; the units carry their CP
and its host on their blocks; the SOP is levied per host (reading poa-issuance-3); each host's cap
is checked at the request and again at the decisions; the refused cases change nothing.
"""
import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from pacm.events.services import chain_verify
from pacm.registry.models import AccountKind, UnitBlock
from pacm.registry.serials import serial_format
from projects import services
from projects.cycle import PeriodState as P
from projects.models import Fee, IssuanceRequest, MonitoringPeriod
from projects.poa.models import ComponentClaim, PoAHost

from .issuance_world import batch, drive, poa_world, tick  # noqa: F401  (poa_world: the fixture pw)


def _since(poa, mark):
    return list(Event.objects.filter(stream=poa.stream, sequence__gt=mark).order_by("sequence"))


def _mark(poa):
    return Event.objects.filter(stream=poa.stream).order_by("-sequence").values_list("sequence", flat=True).first()


def _snapshot(poa):
    return (MonitoringPeriod.objects.filter(activity_id=poa.pk).count(), ComponentClaim.objects.count(),
            Event.objects.filter(stream=poa.stream).count(), IssuanceRequest.objects.count())


def test_two_batches_of_one_period_issue_per_cp_per_vintage(world, pw, django_capture_on_commit_callbacks):
    """Paras 219-220: two batches of the first period (mutually exclusive CPs), each a request with its
    CPs' quantities per vintage; the blocks carry the CP and its host; the SOP is levied per host."""
    gh, ke, gh2 = pw.cps["gh"], pw.cps["ke"], pw.cps["gh2"]
    mark = _mark(pw.poa)
    first = batch(world, pw, {"gh": {pw.y1: 10_000, pw.y2: 2_000}})
    second = batch(world, pw, {"ke": {pw.y1: 8_000, pw.y2: 1_000}, "gh2": {pw.y1: 5_000}})
    events = _since(pw.poa, mark)
    assert [(e.kind, e.actor_label, e.to_state) for e in events] == [
        ("document.uploaded", "ama", ""), ("monitoring.submitted", "ama", P.SUBMITTED),
        ("document.uploaded", "ama", ""), ("monitoring.submitted", "ama", P.SUBMITTED),
    ]
    assert events[1].payload == {
        "monitoring_period": 1, "start": str(pw.period1[0]), "end": str(pw.period1[1]),
        "claims": {str(pw.y1): 10_000, str(pw.y2): 2_000},
        "components": {gh.reference: {str(pw.y1): 10_000, str(pw.y2): 2_000}}}
    assert events[3].payload["components"] == {ke.reference: {str(pw.y1): 8_000, str(pw.y2): 1_000},
                                               gh2.reference: {str(pw.y1): 5_000}}
    assert (first.start, first.end) == (second.start, second.end) == pw.period1

    mark = _mark(pw.poa)
    first = drive(world, first, P.ISSUED, django_capture_on_commit_callbacks)
    events = _since(pw.poa, mark)
    assert [(e.kind, e.actor_label, e.payload.get("transition")) for e in events] == [
        ("monitoring.transitioned", "dora", "start_verification"),
        ("document.uploaded", "dora", None),
        ("monitoring.transitioned", "dora", "certify"),
        ("fee.assessed", "dora", None),
        ("monitoring.transitioned", "dora", "request_issuance"),
        ("issuance.confirmed", "ama", None),  # pacm issue 9: the CME's participants confirm
        ("monitoring.transitioned", "sam", "start_issuance_checks"),
        ("monitoring.transitioned", "sam", "pass_issuance_checks"),
        ("monitoring.transitioned", "timer:approve_by_timer", "approve_by_timer"),
        ("monitoring.transitioned", "timer:close_appeal_window", "close_appeal_window"),
        ("issuance.executed", "timer:issuance", None),
        ("monitoring.transitioned", "timer:issuance", "mark_issued"),
    ]
    assert events[2].payload["verified_by_cp"] == {gh.reference: {str(pw.y1): 10_000, str(pw.y2): 2_000}}
    # App.1 para 4: a multi-country PoA with an LDC host pays no fee (reading poa-issuance-4).
    assert events[3].payload["status"] == Fee.Status.WAIVED and events[3].payload["amount_usd"] == "1800.00"
    # Ghana's CP pays the SOP: 5% of 12,000 rounded down = 600; OMGE 2% rounded up = 240.
    assert events[10].payload == {
        "monitoring_period": 1, "gross": 12_000, "share_of_proceeds": 600, "omge": 240, "buffer": 0, "net": 11_160,
        "rule_set": events[10].payload["rule_set"], "sop_exempt": {"Ghana": False, "Kenya": True},
        "tranches": [[pw.y1, 10_000, "ndc", "international"], [pw.y2, 2_000, "ndc", "international"]],
        "distribution": [["PACM-H-CME-1", 11_160]], "components": [gh.reference, gh.reference]}

    second = drive(world, second, P.ISSUED, django_capture_on_commit_callbacks)
    request = IssuanceRequest.objects.get(period=second)
    # Kenya's 9,000 are exempt (an LDC that did not opt out); Ghana's 5,000 pay 250; OMGE on all 14,000.
    assert (request.gross, request.share_of_proceeds, request.omge, request.net) == (14_000, 250, 280, 13_470)

    blocks = list(UnitBlock.objects.filter(activity_id=pw.poa.pk).select_related("component", "host_party"))
    per_cp = {}
    for b in blocks:
        key = (b.component.reference, b.host_party.iso2, b.vintage)
        per_cp[key] = per_cp.get(key, 0) + b.quantity
    assert per_cp == {
        (gh.reference, "GH", pw.y1): 10_000, (gh.reference, "GH", pw.y2): 2_000,
        (ke.reference, "KE", pw.y1): 8_000, (ke.reference, "KE", pw.y2): 1_000,
        (gh2.reference, "GH", pw.y1): 5_000,
    }
    # The levies come from the paying host's units where they can (reading poa-issuance-3).
    sop = [b for b in blocks if b.account.kind == AccountKind.SOP_ADAPTATION]
    assert {b.component_id for b in sop} == {gh.pk, gh2.pk}
    # Units never vanish; the serial ranges of each vintage never overlap across the batches.
    assert sum(b.quantity for b in blocks) == 26_000
    for vintage in (pw.y1, pw.y2):
        ranges = sorted((b.serial_start, b.serial_end) for b in blocks if b.vintage == vintage)
        assert ranges[0][0] == 1
        assert all(a[1] + 1 == b[0] for a, b in zip(ranges, ranges[1:], strict=False))
    printed = serial_format(next(b for b in blocks if b.component_id == ke.pk))
    assert printed.startswith(f"A6.4ER-KE-{ke.reference}-")
    assert chain_verify(pw.poa.stream) == []


def test_the_public_registry_and_the_statement_show_the_cp(world, pw, client, django_capture_on_commit_callbacks):
    """Para 220: the units' CP is on their serial (the PoA's reference is part of the CP's)."""
    drive(world, batch(world, pw, {"ke": {pw.y1: 8_000}}), P.ISSUED, django_capture_on_commit_callbacks)
    ke = pw.cps["ke"]
    # 8,000 less the OMGE's 160 (serials 1-160); Kenya's CP pays no SOP.
    page = client.get("/registry/", {"activity": pw.poa.reference}).content.decode()
    assert f"A6.4ER-KE-{ke.reference}-{pw.y1}-161-8000" in page
    assert f"A6.4ER-KE-{ke.reference}-{pw.y1}-1-160" in page
    client.force_login(world.ama)
    page = client.get(f"/registry/accounts/{pw.acct.number}/").content.decode()
    assert f'href="/cps/{ke.reference}/"' in page and f"A6.4ER-KE-{ke.reference}-{pw.y1}-161-8000" in page


def test_a_cp_in_two_batches_of_one_period_is_refused(world, pw):
    """Para 219: the batches of a period are mutually exclusive."""
    batch(world, pw, {"gh": {pw.y1: 10_000}})
    before = _snapshot(pw.poa)
    with pytest.raises(ServiceError) as error:
        batch(world, pw, {"ke": {pw.y1: 1_000}, "gh": {pw.y1: 1_000}})
    assert error.value.code == "batch_overlaps" and pw.cps["gh"].reference in error.value.message
    assert _snapshot(pw.poa) == before


def test_a_period_that_leaves_a_gap_or_overlaps_is_refused(world, pw):
    """Para 218: in chronological order, no gaps; a further batch has the period's dates exactly."""
    import datetime

    from projects.poa.issuance import poa_period_submit

    from .. import factories as f

    batch(world, pw, {"gh": {pw.y1: 10_000}})
    before = _snapshot(pw.poa)
    late = pw.period2[0] + datetime.timedelta(days=1)
    for start, end, code in ((late, pw.period2[1], "period_gap"),
                             (pw.period1[0], pw.period1[1] - datetime.timedelta(days=1), "period_overlaps")):
        with pytest.raises(ServiceError) as error:
            poa_period_submit(poa=pw.poa, user=world.ama, start=start, end=end,
                              claims={pw.cps["ke"].reference: {end.year: 100}}, report=f.pdf("m.pdf"))
        assert error.value.code == code
    assert _snapshot(pw.poa) == before


def test_a_cp_that_skipped_a_period_is_refused_for_the_next(world, pw):
    """Para 218, per CP: Kenya's CP credits from the first period's start, so its first period is that one."""
    batch(world, pw, {"gh": {pw.y1: 10_000}})
    before = _snapshot(pw.poa)
    with pytest.raises(ServiceError) as error:
        batch(world, pw, {"ke": {pw.y2: 1_000}}, period=2)
    assert error.value.code == "cp_period_gap" and str(pw.period1[0]) in error.value.message
    assert _snapshot(pw.poa) == before
    # CP0001 follows on: its second period starts the day after its first ended.
    assert batch(world, pw, {"gh": {pw.y2: 4_000}}, period=2).number == 2


def test_the_next_period_waits_for_every_batch_of_the_previous(world, pw, django_capture_on_commit_callbacks):
    """Para 219: a batch of the next period is requested only once all batches of the previous one were."""
    batch(world, pw, {"gh": {pw.y1: 10_000}})
    waiting = batch(world, pw, {"ke": {pw.y1: 1_000}, "gh2": {pw.y1: 1_000}})
    later = drive(world, batch(world, pw, {"gh": {pw.y2: 4_000}}, period=2), P.VERIFIED,
                  django_capture_on_commit_callbacks)
    with pytest.raises(ServiceError) as error:
        drive(world, later, P.ISSUANCE_REQUESTED, django_capture_on_commit_callbacks)
    assert error.value.code == "poa_batch_order" and error.value.params == {"batch": 1}
    assert MonitoringPeriod.objects.get(pk=later.pk).state == P.VERIFIED
    assert not IssuanceRequest.objects.filter(period=later).exists()
    first = MonitoringPeriod.objects.get(activity_id=pw.poa.pk, number=1)
    drive(world, first, P.ISSUANCE_REQUESTED, django_capture_on_commit_callbacks)
    drive(world, waiting, P.ISSUANCE_REQUESTED, django_capture_on_commit_callbacks)
    assert drive(world, later, P.ISSUANCE_REQUESTED, django_capture_on_commit_callbacks).state == P.ISSUANCE_REQUESTED


def test_a_request_over_the_hosts_annual_cap_is_blocked(world, pw, django_capture_on_commit_callbacks):
    """Para 222: Kenya approved 30,000 t a year for all its CPs; 31,000 of 2027 is blocked, naming both."""
    period = drive(world, batch(world, pw, {"ke": {pw.y1: 31_000}}), P.VERIFIED, django_capture_on_commit_callbacks)
    with pytest.raises(ServiceError) as error:
        drive(world, period, P.ISSUANCE_REQUESTED, django_capture_on_commit_callbacks)
    assert error.value.code == "poa_host_cap_exceeded"
    assert error.value.params == {"party": "Kenya", "vintage": pw.y1, "total": 31_000, "cap": 30_000}
    assert "31,000" in error.value.message and "30,000" in error.value.message
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.VERIFIED
    assert not IssuanceRequest.objects.filter(period=period).exists()


def test_the_cap_is_checked_again_at_the_decision(world, pw, django_capture_on_commit_callbacks):
    """Para 222, again at every decision and before issuing: with Ghana's maximum lowered on its row (as a
    PRC would record it) the two requested batches together pass it, and neither is approved by the
    timer; once the SB rejects one, the other goes on."""
    from .conftest import board

    first = drive(world, batch(world, pw, {"gh": {pw.y1: 30_000}}), P.ISSUANCE_REVIEW_WINDOW,
                  django_capture_on_commit_callbacks)
    second = drive(world, batch(world, pw, {"gh2": {pw.y1: 9_000}}), P.ISSUANCE_REVIEW_WINDOW,
                   django_capture_on_commit_callbacks)
    PoAHost.objects.filter(poa=pw.poa, party__iso2="GH").update(max_annual=35_000)
    assert tick(second) == []  # 39,000 > 35,000: both approvals held back
    assert {p.state for p in MonitoringPeriod.objects.filter(pk__in=[first.pk, second.pk])} == {
        P.ISSUANCE_REVIEW_WINDOW}
    services.period_request_issuance_review(period=second, user=world.sofia, comment="Above Ghana's maximum.")
    services.period_reject_issuance(period=second, user=board(world), comment="Above the host's maximum.")
    tick(first)
    assert MonitoringPeriod.objects.get(pk=first.pk).state == P.APPROVED  # 30,000 alone is within 35,000
    assert not UnitBlock.objects.filter(issuance__period=second).exists()


def test_the_request_states_every_verified_unit(world, pw, django_capture_on_commit_callbacks):
    """Para 220: a PoA's request is the verified amounts per CP per vintage, not a part of them."""
    period = drive(world, batch(world, pw, {"gh": {pw.y1: 10_000}}), P.VERIFIED, django_capture_on_commit_callbacks)
    with pytest.raises(ServiceError) as error:
        drive(world, period, P.ISSUANCE_REQUESTED, django_capture_on_commit_callbacks, units=9_000)
    assert error.value.code == "poa_request_per_cp" and error.value.params == {"verified": 10_000}
    assert not IssuanceRequest.objects.filter(period=period).exists()


def test_a_batch_is_verified_per_cp(world, pw):
    """Para 220: the DOE certifies each CP's vintages; per vintage alone, or a CP line off the claim, is refused."""
    period = batch(world, pw, {"gh": {pw.y1: 10_000}})
    services.period_start_verification(period=period, user=world.dora)
    from .. import factories as f

    services.document_upload(activity=period.activity, user=world.dora, kind="verification_report",
                             uploaded=f.pdf("ver.pdf"), period=period)
    mark = _mark(pw.poa)
    for kwargs, code in (
        ({"verified": {pw.y1: 10_000}}, "verified_vintages_mismatch"),
        ({"verified": None, "verified_by_cp": {pw.cps["gh"].reference: {pw.y1: 10_001}}}, "verified_exceeds_claimed"),
        ({"verified": None, "verified_by_cp": {pw.cps["ke"].reference: {pw.y1: 10}}}, "verified_vintages_mismatch"),
    ):
        with pytest.raises(ServiceError) as error:
            services.period_certify(period=period, user=world.dora, **kwargs)
        assert error.value.code == code
    assert _since(pw.poa, mark) == []
    assert ComponentClaim.objects.get(period=period).verified is None


def test_wrong_actors_are_refused(world, pw, django_capture_on_commit_callbacks):
    """Only the coordinating/managing entity reports (para 201), only the PoA's verification DOE certifies
    and requests (paras 203, 217)."""
    before = _snapshot(pw.poa)
    for user in (world.kofi, world.otto, world.dina, world.sam):
        with pytest.raises(Refused):
            batch(world, pw, {"gh": {pw.y1: 10_000}}, user=user)
    assert _snapshot(pw.poa) == before
    period = batch(world, pw, {"gh": {pw.y1: 10_000}})
    for user in (world.otto, world.ama, world.sam):
        with pytest.raises(Refused):
            services.period_start_verification(period=period, user=user)
    period = drive(world, period, P.VERIFIED, django_capture_on_commit_callbacks)
    for user in (world.otto, world.ama, world.nils):
        with pytest.raises(Refused):
            services.period_request_issuance(period=period, user=user, units_requested=10_000,
                                             lines=[{"account": "PACM-H-CME-1", "percent": "100"}])
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.VERIFIED


def test_a_cp_not_included_claims_nothing(world, pw):
    """Only included CPs claim (an erroneously excluded one claims nothing more: para 132(b))."""
    from projects.poa.issuance import poa_period_submit

    from .. import factories as f
    from .conftest import notify_cp

    notified = notify_cp(world, pw.poa, title="Late CP", crediting_start=pw.period1[0],
                         crediting_end=pw.cps["gh"].crediting_end)
    before = _snapshot(pw.poa)
    with pytest.raises(ServiceError) as error:
        poa_period_submit(poa=pw.poa, user=world.ama, start=pw.period1[0], end=pw.period1[1],
                          claims={notified.reference: {pw.y1: 100}}, report=f.pdf("m.pdf"))
    assert error.value.code == "cp_not_claiming"
    assert _snapshot(pw.poa) == before
