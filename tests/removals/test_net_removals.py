"""Net removals per monitoring period and the crediting deficit (A6.4-STAN-METH-002 v01.0 para 30).

A removals report states per vintage the net removals (may be negative) and the net change in
storage. Negative net removals issue nothing and are carried as a crediting deficit, deducted
from later issuances until paid off (para 30(c)(iv), (d)); a negative change in storage is a
reversal (para 30(e)), handed to the reversal flow as a reported Reversal.
"""
import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import EventKind
from pacm.registry.models import Account, AccountKind, UnitBlock
from projects import services
from projects.cycle import PeriodState as P
from projects.models import DeficitEntry, IssuanceRequest, Reversal
from projects.services.issuance import issuance_preview
from tests import factories as f
from tests.projects.support import last_sequence, new_events

from .conftest import year


def held(account):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account))


def ledger(activity):
    return [(e.period.number, e.kind, e.quantity, e.balance) for e in DeficitEntry.objects.filter(activity=activity)]


def certify(world, period, verified=None):
    services.period_start_verification(period=period, user=world.dora)
    services.document_upload(activity=period.activity, user=world.dora, kind="verification_report",
                             uploaded=f.pdf("ver.pdf"), period=period)
    return services.period_certify(period=period, user=world.dora,
                                   verified=verified or {c.vintage: c.claimed for c in period.claims.all()})


def test_a_negative_period_issues_nothing_and_its_deficit_is_paid_by_the_next(world, removals, report, drive):
    y2, y3 = year(removals, 2), year(removals, 3)
    first = report(removals, 1, {year(removals, 1): 30_000})
    drive(first, P.ISSUED)
    # Para 30(d): net removals of -5,000 with storage not lost: nothing to claim, a deficit of 5,000.
    second = report(removals, 2, {y2: -5_000}, {y2: 2_000})
    claim = second.claims.get()
    assert (claim.claimed, claim.net_removals, claim.storage_change) == (0, -5_000, 2_000)
    since = last_sequence(removals)
    second = certify(world, second)
    assert second.state == P.VERIFIED
    events = new_events(removals, since)
    assert [e.kind for e in events][-2:] == [EventKind.MONITORING_TRANSITIONED, EventKind.DEFICIT_INCURRED]
    assert events[-1].payload == {"monitoring_period": 2, "quantity": 5_000, "balance": 5_000,
                                  "vintages": {str(y2): 5_000}}
    assert (events[-1].actor, events[-1].role) == (world.dora, "doe")
    assert ledger(removals) == [(2, "incurred", 5_000, 5_000)]
    # Nothing was verified to issue: the request is refused.
    with pytest.raises(ServiceError) as error:
        services.period_request_issuance(period=second, user=world.dora, units_requested=1,
                                         lines=[{"account": world.acct, "percent": "100"}])
    assert error.value.code == "units_requested_out_of_range"
    # The preview of the next issuance shows the deficit deducted first (para 30(c)(iv)).
    third = report(removals, 3, {y3: 8_000})
    third = drive(third, P.VERIFIED)
    split, _ = issuance_preview(period=third, units=8_000)
    assert (split.gross, split.buffer) == (3_000, 300)
    since = last_sequence(removals)
    third = drive(third, P.ISSUED)
    request = IssuanceRequest.objects.get(period=third)
    assert (request.units_requested, request.deficit_deducted, request.gross, request.buffer) == (8_000, 5_000, 3_000, 300)
    assert sum(b.quantity for b in UnitBlock.objects.filter(issuance=request)) == 3_000
    assert ledger(removals) == [(2, "incurred", 5_000, 5_000), (3, "deducted", 5_000, 0)]
    kinds = [e.kind for e in new_events(removals, since)]
    # The deduction is recorded in the issuing task's transaction, before the units are issued.
    assert kinds.index(EventKind.DEFICIT_DEDUCTED) < kinds.index(EventKind.ISSUANCE_EXECUTED)
    deducted = next(e for e in new_events(removals, since) if e.kind == EventKind.DEFICIT_DEDUCTED)
    assert deducted.payload == {"monitoring_period": 3, "quantity": 5_000, "balance": 0, "units_requested": 8_000}
    assert deducted.actor_label == "timer:issuance"


def test_a_deficit_larger_than_a_request_takes_it_whole_and_the_rest_is_carried(world, removals, report, drive):
    y1, y2, y3 = year(removals, 1), year(removals, 2), year(removals, 3)
    certify(world, report(removals, 1, {y1: -10_000}))
    pending_before = held(Account.objects.get(kind=AccountKind.PENDING))
    second = drive(report(removals, 2, {y2: 4_000}), P.ISSUED)
    request = IssuanceRequest.objects.get(period=second)
    assert (request.deficit_deducted, request.gross, request.net) == (4_000, 0, 0)
    assert not UnitBlock.objects.filter(issuance=request).exists()
    assert held(Account.objects.get(kind=AccountKind.PENDING)) == pending_before
    third = drive(report(removals, 3, {y3: 7_000}), P.ISSUED)
    assert IssuanceRequest.objects.get(period=third).gross == 1_000
    assert ledger(removals) == [(1, "incurred", 10_000, 10_000), (2, "deducted", 4_000, 6_000),
                                (3, "deducted", 6_000, 0)]


def test_within_a_period_a_negative_vintage_is_deducted_from_its_positive_one(world, removals, report, drive):
    start = year(removals, 1)
    period = report(removals, 1, {start: 6_000, start + 1: -1_000})
    period = drive(period, P.ISSUED)
    request = IssuanceRequest.objects.get(period=period)
    assert (request.units_requested, request.deficit_deducted, request.gross) == (6_000, 1_000, 5_000)
    # Deducted from the oldest vintage first.
    assert {b.vintage for b in UnitBlock.objects.filter(issuance=request)} == {start}


def test_a_negative_change_in_storage_is_a_reversal_handed_to_the_reversal_flow(world, removals, report, drive):
    y2 = year(removals, 2)
    drive(report(removals, 1, {year(removals, 1): 30_000}), P.ISSUED)
    # Storage fell by 1,200; with emissions of 300 beyond it, the net removals are -1,500.
    second = report(removals, 2, {y2: -1_500}, {y2: -1_200})
    since = last_sequence(removals)
    certify(world, second)
    reversal = Reversal.objects.get(activity=removals)
    assert (reversal.quantity, reversal.status, reversal.kind) == (1_200, "reported", "avoidable")
    assert reversal.reported_by == world.orgs["doe"]
    kinds = [e.kind for e in new_events(removals, since)]
    assert kinds[-3:] == [EventKind.MONITORING_TRANSITIONED, EventKind.DEFICIT_INCURRED, EventKind.REVERSAL_REPORTED]
    assert ledger(removals) == [(2, "incurred", 300, 300)]


def test_a_storage_loss_beyond_what_was_issued_is_a_reversal_of_what_was_credited(world, removals, report, drive):
    y1, y2 = year(removals, 1), year(removals, 2)
    # Nothing issued yet: no credited removal can be reversed, so no Reversal (reading removals-3).
    certify(world, report(removals, 1, {y1: -50}, {y1: -50}))
    assert not Reversal.objects.exists()
    drive(report(removals, 2, {y2: 1_000}), P.ISSUED)  # 1,000 issued (the deficit took nothing: 0)
    certify(world, report(removals, 3, {year(removals, 3): -5_000}, {year(removals, 3): -5_000}))
    assert Reversal.objects.get().quantity == 1_000


@pytest.mark.parametrize("offset, change, code", [
    (1, 5, "storage_vintages_mismatch"),  # a vintage the report does not claim
    (0, 10**10 + 1, "storage_too_large"),
    (0, "many", "storage_invalid"),
])
def test_bad_storage_is_a_clear_error(world, removals, report, offset, change, code):
    y = year(removals, 1)
    net, storage = {y: 10}, {y + offset: change}
    with pytest.raises(ServiceError) as error:
        report(removals, 1, net, storage)
    assert error.value.code == code
    assert not removals.monitoring_periods.exists()


def test_an_activity_that_is_not_removals_claims_no_negative_and_no_storage(world, registered, submit, period_over):
    from tests.issuance.conftest import period_dates

    start, end = period_dates(registered, 1)
    period_over(end)
    for claims, storage, code in (({start.year: -5}, None, "claim_negative"),
                                  ({start.year: 5}, {start.year: 5}, "storage_not_removals")):
        with pytest.raises(ServiceError) as error:
            services.period_submit(activity=registered, user=world.ama, start=start, end=end, claims=claims,
                                   storage=storage, report=f.pdf("m.pdf"))
        assert error.value.code == code


def test_only_the_participants_report_and_only_the_doe_certifies(world, removals, report):
    y = year(removals, 1)
    for persona in ("kofi", "dora", "sam", "sofia", "dina"):
        with pytest.raises(Refused):
            report(removals, 1, {y: -5}, user=getattr(world, persona))
    period = report(removals, 1, {y: -5})
    services.period_start_verification(period=period, user=world.dora)
    for persona in ("ama", "otto", "sam"):
        with pytest.raises(Refused):
            services.period_certify(period=period, user=getattr(world, persona), verified={y: 0})
    assert not DeficitEntry.objects.exists()


def test_the_pages_show_the_deficit_ledger(client, world, removals, report, drive, django_assert_max_num_queries):
    y = year(removals, 1)
    period = report(removals, 1, {y: -700})
    certify(world, period)
    client.force_login(world.ama)
    page = client.get(f"/activities/{removals.reference}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="deficit"' in body and "700" in body
    page = client.get(f"/activities/{removals.reference}/periods/1/")
    assert page.status_code == 200 and 'id="deficit-balance"' in page.content.decode()
