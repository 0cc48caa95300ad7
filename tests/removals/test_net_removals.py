"""Net removals per monitoring period and the crediting deficit (A6.4-STAN-METH-002 v01.0 para 30).

A removals report states per vintage the net removals (may be negative) and the net change in
storage. Negative net removals issue nothing and are carried as a crediting deficit, deducted from
later issuances before their units are issued (para 30(c)(iv), (d)); a negative change in storage
is a reversal (para 30(e)), handed to the observed-event flow (projects.reversals).
"""
import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import EventKind
from pacm.registry.models import Account, AccountKind, UnitBlock
from projects import services
from projects.cycle import PeriodState as P
from projects.models import IssuanceRequest
from projects.removals.models import DeficitEntry, RemovalsVintage, StorageLoss
from projects.reversals.cycle import EventState as E
from projects.reversals.models import ObservedEvent
from tests import factories as f
from tests.projects.support import last_sequence, new_events

from .conftest import certify, year


def held(account):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account))


def ledger(activity):
    return [(e.period.number, e.kind, e.quantity, e.balance) for e in DeficitEntry.objects.filter(activity=activity)]


def deducted(period):
    entry = DeficitEntry.objects.filter(period=period, kind="deducted").first()
    return entry.quantity if entry else 0


def test_a_negative_period_issues_nothing_and_its_deficit_is_paid_by_the_next(world, removals, report, drive):
    y2, y3 = year(removals, 2), year(removals, 3)
    drive(report(removals, 1, {year(removals, 1): 30_000}), P.ISSUED)
    # Para 30(d): net removals of -5,000 with storage not lost: nothing to claim, a deficit of 5,000.
    since = last_sequence(removals)
    second = report(removals, 2, {y2: -5_000}, {y2: 2_000})
    assert second.claims.get().claimed == 0
    row = RemovalsVintage.objects.get(period=second)
    assert (row.vintage, row.net_removals, row.storage_change) == (y2, -5_000, 2_000)
    submitted = next(e for e in new_events(removals, since) if e.kind == EventKind.MONITORING_SUBMITTED)
    assert (submitted.payload["claims"], submitted.payload["storage"]) == ({str(y2): -5_000}, {str(y2): 2_000})
    since = last_sequence(removals)
    second = certify(world, second)
    assert second.state == P.VERIFIED
    events = new_events(removals, since)
    # start_verification, the verification report's upload, then the certification's writes.
    assert [e.kind for e in events][-2:] == [EventKind.DEFICIT_INCURRED, EventKind.MONITORING_TRANSITIONED]
    incurred, certified = events[-2:]
    assert incurred.payload == {"monitoring_period": 2, "quantity": 5_000, "balance": 5_000,
                                "vintages": {str(y2): 5_000}}
    assert (incurred.actor, incurred.role) == (world.dora, "doe")
    assert (certified.payload["transition"], certified.payload["deficit"]) == ("certify", 5_000)
    assert ledger(removals) == [(2, "incurred", 5_000, 5_000)]
    # Nothing was verified to issue: a request is refused.
    with pytest.raises(ServiceError) as error:
        services.period_request_issuance(period=second, user=world.dora, units_requested=1,
                                         lines=[{"account": world.acct, "percent": "100"}])
    assert error.value.code == "units_requested_out_of_range"
    # Para 30(c)(iv): the next issuance pays the deficit first, in the issuing task.
    since = last_sequence(removals)
    third = drive(report(removals, 3, {y3: 8_000}), P.ISSUED)
    request = IssuanceRequest.objects.get(period=third)
    assert (request.units_requested, deducted(third), request.gross, request.buffer) == (8_000, 5_000, 3_000, 300)
    assert sum(b.quantity for b in UnitBlock.objects.filter(issuance=request)) == 3_000
    assert ledger(removals) == [(2, "incurred", 5_000, 5_000), (3, "deducted", 5_000, 0)]
    events = new_events(removals, since)
    kinds = [e.kind for e in events]
    # Deducted in the issuing task's transaction, before the units are issued.
    assert kinds.index(EventKind.DEFICIT_DEDUCTED) < kinds.index(EventKind.ISSUANCE_EXECUTED)
    entry = next(e for e in events if e.kind == EventKind.DEFICIT_DEDUCTED)
    assert entry.payload == {"monitoring_period": 3, "quantity": 5_000, "balance": 0, "units_requested": 8_000}
    assert entry.actor_label == "timer:issuance"


def test_a_deficit_larger_than_a_request_takes_it_whole_and_the_rest_is_carried(world, removals, report, drive):
    y1, y2, y3 = year(removals, 1), year(removals, 2), year(removals, 3)
    certify(world, report(removals, 1, {y1: -10_000}))
    pending_before = held(Account.objects.get(kind=AccountKind.PENDING))
    second = drive(report(removals, 2, {y2: 4_000}), P.ISSUED)
    request = IssuanceRequest.objects.get(period=second)
    assert (deducted(second), request.gross, request.net, request.buffer) == (4_000, 0, 0, 0)
    assert not UnitBlock.objects.filter(issuance=request).exists()
    assert held(Account.objects.get(kind=AccountKind.PENDING)) == pending_before
    third = drive(report(removals, 3, {y3: 7_000}), P.ISSUED)
    assert IssuanceRequest.objects.get(period=third).gross == 1_000
    assert ledger(removals) == [(1, "incurred", 10_000, 10_000), (2, "deducted", 4_000, 6_000),
                                (3, "deducted", 6_000, 0)]


def test_within_a_period_a_negative_vintage_is_deducted_from_its_positive_one(world, removals, report, drive):
    start = year(removals, 1)
    period = drive(report(removals, 1, {start: 6_000, start + 1: -1_000}), P.ISSUED)
    request = IssuanceRequest.objects.get(period=period)
    assert (request.units_requested, deducted(period), request.gross) == (6_000, 1_000, 5_000)
    assert {b.vintage for b in UnitBlock.objects.filter(issuance=request)} == {start}


def test_a_negative_change_in_storage_is_an_observed_event(world, removals, report, drive,
                                                          django_capture_on_commit_callbacks):
    """Para 30(e): the storage lost opens an observed event in its first state; the SB is told and
    has the registry suspend the units (para 44); the flow runs as for a notice (paras 45-58)."""
    from pacm.notifications.models import Notification

    y2 = year(removals, 2)
    drive(report(removals, 1, {year(removals, 1): 30_000}), P.ISSUED)
    # Storage fell by 1,200; with emissions of 300 beyond it, the net removals are -1,500.
    second = report(removals, 2, {y2: -1_500}, {y2: -1_200})
    since = last_sequence(removals)
    with django_capture_on_commit_callbacks(execute=True):
        certify(world, second)
    told = set(Notification.objects.filter(write="certify").values_list("recipient__username", flat=True))
    assert "sofia" in told  # the SB acts next on the new event
    event = ObservedEvent.objects.get(activity=removals)
    assert (event.number, event.state, event.late, event.notified_by) == (1, E.NOTIFIED, False, world.orgs["doe"])
    assert (event.occurred_from, event.occurred_to) == (second.start, second.end)
    assert "1,200" in event.description
    assert StorageLoss.objects.get(period=second).quantity == 1_200
    events = new_events(removals, since)
    assert [e.kind for e in events][-4:] == [EventKind.DEFICIT_INCURRED, EventKind.OBSERVED_EVENT_NOTIFIED,
                                             EventKind.STORAGE_LOSS_RECORDED, EventKind.MONITORING_TRANSITIONED]
    assert events[-2].payload == {"monitoring_period": 2, "quantity": 1_200, "observed_event": 1,
                                  "vintages": {str(y2): 1_200}}
    assert events[-1].payload["observed_event"] == 1
    assert ledger(removals) == [(2, "incurred", 300, 300)]
    # The landed flow takes it up: only the SB instructs the suspension.
    from projects.reversals import services as rev

    for persona in ("ama", "dora", "sam"):
        with pytest.raises(Refused):
            rev.event_suspend_units(event=event, user=getattr(world, persona), comment="Suspend.")
    event = rev.event_suspend_units(event=event, user=world.sofia, comment="Storage lost: suspend.")
    assert event.state == E.ASSESSMENT and event.suspension.is_open


def test_a_storage_loss_is_determined_by_the_sb_up_to_what_was_issued(world, removals, report, drive):
    """Reading removals-3: the report's figure describes the event; the SB determines the reversal,
    at most what was issued for the activity (the landed flow's reading reversals-2)."""
    from projects.reversals import services as rev

    y1 = year(removals, 1)
    certify(world, report(removals, 1, {y1: -50}, {y1: -50}))  # nothing issued yet
    event = ObservedEvent.objects.get()
    rev.event_suspend_units(event=event, user=world.sofia, comment="Suspend.")
    rev.event_conclude_reversal(event=event, user=world.ama, comment="The report shows the loss.")
    rev.event_submit_full_report(event=event, user=world.ama, report=f.pdf("full.pdf"))
    rev.event_verify_full_report(event=event, user=world.dora, comment="Verified.")
    with pytest.raises(ServiceError) as error:
        rev.event_determine_reversal(event=event, user=world.sofia, authorized=0, contribution=50, avoidable=False,
                                     comment="Determined.")
    assert error.value.code == "reversal_above_issued"


@pytest.mark.parametrize("offset, change, code", [
    (1, 5, "storage_vintages_mismatch"),  # a vintage the report does not state
    (0, 10**10 + 1, "storage_too_large"),
    (0, "many", "storage_invalid"),
])
def test_bad_storage_is_a_clear_error(world, removals, report, offset, change, code):
    y = year(removals, 1)
    with pytest.raises(ServiceError) as error:
        report(removals, 1, {y: 10}, {y + offset: change})
    assert error.value.code == code
    assert not removals.monitoring_periods.exists()


def test_an_activity_that_is_not_removals_claims_no_negative_and_no_storage(world, registered, period_over):
    from tests.issuance.conftest import period_dates

    start, end = period_dates(registered, 1)
    period_over(end)
    for claims, storage, code in (({start.year: -5}, None, "claim_negative"),
                                  ({start.year: 5}, {start.year: 5}, "storage_not_removals")):
        with pytest.raises(ServiceError) as error:
            services.period_submit(activity=registered, user=world.ama, start=start, end=end, claims=claims,
                                   storage=storage, report=f.pdf("m.pdf"))
        assert error.value.code == code
    assert not registered.monitoring_periods.exists()


def test_only_the_participants_report_and_only_the_doe_certifies(world, removals, report):
    y = year(removals, 1)
    for persona in ("kofi", "dora", "sam", "sofia", "dina"):
        with pytest.raises(Refused):
            report(removals, 1, {y: -5}, user=getattr(world, persona))
    period = report(removals, 1, {y: -5})
    services.period_start_verification(period=period, user=world.dora)
    services.document_upload(activity=removals, user=world.dora, kind="verification_report",
                             uploaded=f.pdf("ver.pdf"), period=period)
    for persona in ("ama", "otto", "sam", "sofia"):
        with pytest.raises(Refused):
            services.period_certify(period=period, user=getattr(world, persona), verified={y: 0})
    assert not DeficitEntry.objects.exists()
    services.period_certify(period=period, user=world.dora, verified={y: 0})
    assert ledger(removals) == [(1, "incurred", 5, 5)]


def test_the_activity_page_shows_the_deficit_and_the_storage_loss(client, world, removals, report):
    y1, y2 = year(removals, 1), year(removals, 2)
    certify(world, report(removals, 1, {y1: -700}))
    certify(world, report(removals, 2, {y2: -40}, {y2: -40}))
    client.force_login(world.ama)
    page = client.get(f"/activities/{removals.reference}/")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'id="deficit-balance"' in body and "<strong>700</strong>" in body
    assert 'id="storage-losses"' in body and f"/activities/{removals.reference}/observed-events/1/" in body
