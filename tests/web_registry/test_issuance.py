"""The issuance request through the web (RMP 52-54; rules.md §4.5): preview, submit, checks, review.

The split of 30,000 under rule set 2025-08: SOP 5% rounded down = 1,500; OMGE 2% rounded up = 600;
no buffer for reductions; net 27,900 (policy.md §1).
"""

import datetime
import re
from decimal import Decimal

import pytest
import time_machine

from pacm.events.models import Event, EventKind
from pacm.registry.models import UnitBlock
from pacm.registry.serials import serial_format
from projects import services
from projects.cycle import PeriodState as P
from projects.models import DistributionLine, Fee, IssuanceRequest, MonitoringPeriod

from .conftest import form_actions, issuance_post, period_url, transition_buttons


def state(period):
    return MonitoringPeriod.objects.get(pk=period.pk).state


def text(html):
    """The page's text with tags removed and whitespace collapsed, to read figures in their rows."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def issue_url(period):
    return period_url(period, "period-request-issuance")


def test_preview_shows_the_exact_split_and_saves_nothing(as_user, world, verified):
    client = as_user(world.dora)
    response = client.post(issue_url(verified), issuance_post(
        units=30_000, lines=[("PACM-H-DEV-1", None, 60), ("PACM-H-DEV-2", None, 40)], preview=True))
    assert response.status_code == 200
    page = text(response.content.decode())
    assert "Preview: nothing is submitted yet" in page
    assert "Gross issued 30,000" in page
    assert "Share of proceeds to the Adaptation Fund (RMP 58) 5% 1,500" in page
    assert "OMGE cancellation (RMP 59) 2% 600" in page
    assert "Net to the participants' accounts 27,900" in page
    # Percent split: floor of each share, the residual to the first line (policy.md §1).
    assert "PACM-H-DEV-1 60% 16,740" in page and "PACM-H-DEV-2 40% 11,160" in page
    assert "SOP rounded down, OMGE rounded up, per rule set 2025-08." in page
    assert not IssuanceRequest.objects.exists()
    assert state(verified) == P.VERIFIED
    assert not Fee.objects.filter(kind=Fee.Kind.ISSUANCE).exists()


def test_preview_with_a_higher_omge_election_and_whole_units(as_user, world, verified):
    response = as_user(world.dora).post(issue_url(verified), issuance_post(
        units=20_000, omge_rate="0.05", lines=[("PACM-H-DEV-1", 18_000, None), ("PACM-H-DEV-2", 1_000, None)],
        preview=True))
    page = text(response.content.decode())
    assert "Gross issued 20,000" in page and "(RMP 58) 5% 1,000" in page and "(RMP 59) 5% 1,000" in page
    assert "Net to the participants' accounts 18,000" in page
    # Whole units must add up to the net: the preview says so on the form.
    assert "The lines add up to 19,000 units; the net to distribute is 18,000." in page


@pytest.mark.parametrize(
    "omge_rate, lines, message, split_shown",
    [
        ("0.01", [("PACM-H-DEV-1", None, 100)],
         "The OMGE rate 0.01 is below the minimum of 0.02 (RMP 59, rule set 2025-08).", False),
        ("", [("PACM-H-DEV-1", None, 60)], "The percentages add up to 60, not 100.", True),
        ("", [("PACM-H-DEV-1", 5, 50)], "give either whole units or a percentage, not both or neither", True),
    ],
)
def test_preview_errors_show_on_the_form(as_user, world, verified, omge_rate, lines, message, split_shown):
    response = as_user(world.dora).post(issue_url(verified), issuance_post(
        units=30_000, omge_rate=omge_rate, lines=lines, preview=True))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html
    # A distribution that does not add up still shows the split it would distribute.
    assert ("Preview: nothing is submitted yet" in html) == split_shown
    assert ("Net to the participants' accounts 27,900" in text(html)) == split_shown
    assert not IssuanceRequest.objects.exists()


@pytest.mark.parametrize(
    "units, lines, message",
    [
        (30_000, [("PACM-H-DEV-1", None, 60)], "The percentages add up to 60, not 100."),
        (30_000, [("PACM-H-DEV-1", 10_000, None)],
         "The lines add up to 10,000 units; the net to distribute is 27,900."),
        (30_000, [("NO-SUCH-ACCOUNT", None, 100)], "Unknown receiving account."),
        (30_000, [("PACM-H-SAV-1", None, 100)],
         "PACM-H-SAV-1 is neither a holding account of this activity&#x27;s participants nor a Party&#x27;s "
         "holding account (RMP 60; 7/CMA.4 annex I para 41)."),
        (30_001, [("PACM-H-DEV-1", None, 100)], "Request between 1 and the 30,000 units verified."),
        (0, [("PACM-H-DEV-1", None, 100)], "greater than or equal to 1"),
        (30_000, [], "Give at least one receiving holding account."),
    ],
)
def test_bad_issuance_requests_change_nothing(as_user, world, verified, units, lines, message):
    response = as_user(world.dora).post(issue_url(verified), issuance_post(units=units, lines=lines))
    assert response.status_code == 200
    html = response.content.decode()
    assert message in html and "Nothing was saved" in html
    assert state(verified) == P.VERIFIED
    assert not IssuanceRequest.objects.exists() and not DistributionLine.objects.exists()
    assert not Fee.objects.filter(kind=Fee.Kind.ISSUANCE).exists()


def test_only_the_verification_doe_may_request_issuance(as_user, world, verified):
    data = issuance_post(units=30_000, lines=[("PACM-H-DEV-1", None, 100)])
    for who in (world.ama, world.otto, world.sam, world.sofia, world.dina):
        client = as_user(who)
        assert issue_url(verified) not in form_actions(client.get(period_url(verified)).content.decode())
        assert client.post(issue_url(verified), data).status_code == 403, who
        assert client.post(issue_url(verified), {**data, "preview": "1"}).status_code == 403, who
    assert as_user(None).post(issue_url(verified), data).status_code == 302  # to the login page
    assert not IssuanceRequest.objects.exists()


def submit_request(client, period, **kw):
    data = issuance_post(units=kw.pop("units", 30_000),
                         lines=kw.pop("lines", [("PACM-H-DEV-1", None, 60), ("PACM-H-DEV-2", None, 40)]), **kw)
    return client.post(issue_url(period), data)


def test_doe_submits_and_everyone_sees_the_pending_preview(as_user, world, verified):
    response = submit_request(as_user(world.dora), verified)
    assert response.status_code == 302 and response.url == period_url(verified, ) + "#issuance"
    request = IssuanceRequest.objects.get(period=verified)
    assert (request.units_requested, request.omge_rate, request.split) == (30_000, Decimal("0.0200"), "percent")
    assert [(line.account.number, line.percent) for line in request.lines.order_by("position")] == [
        ("PACM-H-DEV-1", Decimal("60")), ("PACM-H-DEV-2", Decimal("40"))]
    assert state(verified) == P.ISSUANCE_REQUESTED
    fee = Fee.objects.get(monitoring_period=verified, kind=Fee.Kind.ISSUANCE)
    assert fee.amount_usd == Decimal("4500.00")  # rule set 2025-08: USD 0.15 x 30,000 (PROC-AC-002 App.1 para 13)
    event = Event.objects.filter(stream=verified.activity.stream, kind=EventKind.MONITORING_TRANSITIONED).last()
    assert event.actor == world.dora and event.payload["preview"]["net"] == 27_900
    for who in (None, world.kofi, world.ama, world.sam):
        page = text(as_user(who).get(period_url(verified)).content.decode())
        assert "Preview of the split, under the rule set in force today" in page, who
        assert "Gross issued 30,000" in page and "(RMP 58) 5% 1,500" in page and "(RMP 59) 2% 600" in page
        assert "Net to the participants' accounts 27,900" in page
        if who in (world.ama, world.sam):  # the accounts' holder and the secretariat (issue 11)
            assert "PACM-H-DEV-1 60% 16,740" in page and "PACM-H-DEV-2 40% 11,160" in page
        else:  # anyone else: what the public unit registry shows of a private holding account
            assert "Private holding account 60% 16,740" in page and "Private holding account 40% 11,160" in page
            assert "PACM-H-DEV" not in page, who
        assert "SOP rounded down, OMGE rounded up, per rule set 2025-08." in page
        assert "4,500.00" in page


def test_secretariat_records_the_fee_then_checks(as_user, world, verified):
    submit_request(as_user(world.dora), verified)
    sam = as_user(world.sam)
    html = sam.get(period_url(verified)).content.decode()
    # 7/CMA.4 annex I para 56: the checks wait for the fee.
    assert transition_buttons(html) == {"start_issuance_checks": True}
    assert "The issuance fee has not been recorded as paid." in html
    fee = Fee.objects.get(monitoring_period=verified)
    pay = period_url(verified, "period-fee-record-payment", fee_id=fee.pk)
    assert pay in form_actions(html)
    for who in (world.ama, world.dora, world.sofia):
        assert as_user(who).post(pay, {f"fee-{fee.pk}-reference": "X"}).status_code == 403, who
    sam = as_user(world.sam)
    response = sam.post(pay, {f"fee-{fee.pk}-reference": ""})
    assert response.status_code == 200 and "This field is required." in response.content.decode()
    assert sam.post(pay, {f"fee-{fee.pk}-reference": "WIRE-77"}).status_code == 302
    fee.refresh_from_db()
    assert (fee.status, fee.payment_reference) == (Fee.Status.PAID, "WIRE-77")
    # pacm issue 9: the participants confirm the OMGE election and the distribution first.
    assert as_user(world.ama).post(period_url(verified, "period-transition", name="confirm_issuance_request"),
                                   {}).status_code == 302
    sam = as_user(world.sam)  # one client: signed in as sam again
    assert sam.post(period_url(verified, "period-transition", name="start_issuance_checks"), {}).status_code == 302
    assert state(verified) == P.ISSUANCE_CHECKS
    assert sam.post(period_url(verified, "period-transition", name="pass_issuance_checks"), {}).status_code == 302
    assert state(verified) == P.ISSUANCE_REVIEW_WINDOW


@pytest.fixture
def in_checks(world, registered, submit, drive):
    return drive(submit(registered), P.ISSUANCE_CHECKS)


def test_return_incomplete_and_resubmit_with_the_last_request_prefilled(as_user, world, in_checks):
    period = in_checks
    sam = as_user(world.sam)
    url = period_url(period, "period-transition", name="return_issuance_incomplete")
    sam.post(url, {"t-return_issuance_incomplete-comment": ""})
    assert state(period) == P.ISSUANCE_CHECKS  # reasons are required
    sam.post(url, {"t-return_issuance_incomplete-comment": "Forwarding instruction unsigned"})
    assert state(period) == P.ISSUANCE_INCOMPLETE
    dora = as_user(world.dora)
    html = dora.get(period_url(period)).content.decode()
    assert "Resubmit the request" in html
    assert 'value="PACM-H-DEV-1"' in html  # the previous distribution, to correct rather than retype
    response = submit_request(dora, period, units=25_000, lines=[("PACM-H-DEV-2", None, 100)])
    assert response.status_code == 302
    assert state(period) == P.ISSUANCE_REQUESTED
    request = IssuanceRequest.objects.get(period=period)
    assert request.units_requested == 25_000
    assert [line.account.number for line in request.lines.all()] == ["PACM-H-DEV-2"]
    event = Event.objects.filter(stream=period.activity.stream, kind=EventKind.MONITORING_TRANSITIONED).last()
    assert event.payload["transition"] == "resubmit_issuance"
    # The fee was assessed once, at the first request.
    assert Fee.objects.filter(monitoring_period=period, kind=Fee.Kind.ISSUANCE).count() == 1


@pytest.fixture
def in_window(world, registered, submit, drive):
    return drive(submit(registered), P.ISSUANCE_REVIEW_WINDOW)


def _meeting(transition, comment, **extra):
    return {"board-meeting-transition": transition, "board-meeting-meeting": "SBM019",
            "board-meeting-agenda_item": "4.3", "board-meeting-outcome": "adopted", "board-meeting-by": "consensus",
            "board-meeting-comment": comment, **extra}


def test_sb_requests_review_inside_the_window_and_the_board_approves(as_user, world, in_window):
    period = in_window
    sofia = as_user(world.sofia)
    assert transition_buttons(sofia.get(period_url(period)).content.decode()) == {"request_issuance_review": False}
    review = period_url(period, "period-transition", name="request_issuance_review")
    for who in (world.sam, world.dora, world.ama):
        assert as_user(who).post(review, {"t-request_issuance_review-comment": "x"}).status_code == 403
    sofia = as_user(world.sofia)
    sofia.post(review, {"t-request_issuance_review-comment": ""})
    assert state(period) == P.ISSUANCE_REVIEW_WINDOW
    sofia.post(review, {"t-request_issuance_review-comment": "Check the baseline emission factor"})
    assert state(period) == P.ISSUANCE_UNDER_SB_REVIEW
    # RMP 22: the SB decides as a body; no member approves alone (projects.board).
    page = sofia.get(period_url(period)).content.decode()
    assert transition_buttons(page) == {}
    assert 'id="board"' in page and "Awaiting the Board" in page
    approve = period_url(period, "period-transition", name="approve_issuance")
    assert sofia.post(approve, {"t-approve_issuance-comment": "Baseline confirmed"}).status_code == 403
    assert state(period) == P.ISSUANCE_UNDER_SB_REVIEW
    record = period_url(period, "board-period-record")
    sam = as_user(world.sam)
    response = sam.post(record, _meeting("approve_issuance", ""))
    assert response.status_code == 200 and "Give the reasons for this decision." in response.content.decode()
    assert state(period) == P.ISSUANCE_UNDER_SB_REVIEW  # reasons are required
    sam.post(record, _meeting("approve_issuance", "Baseline confirmed"))
    assert state(period) == P.APPROVED
    event = Event.objects.filter(stream=period.activity.stream, kind=EventKind.MONITORING_TRANSITIONED).last()
    decision = Event.objects.filter(stream=period.activity.stream, kind=EventKind.BOARD_DECIDED).get()
    assert (event.actor, event.actor_label, event.comment, event.to_state) == (
        None, f"board:{decision.payload['decision']}", "Baseline confirmed", P.APPROVED)
    assert (decision.actor, decision.payload["meeting"], decision.payload["monitoring_period"]) == (
        world.sam, "SBM019", period.number)


def test_review_cannot_be_requested_once_the_window_closed(as_user, world, in_window):
    period = in_window
    with time_machine.travel(period.due_at + datetime.timedelta(seconds=1), tick=False):
        from projects.timers import timers_run

        timers_run()
    assert state(period) == P.APPROVED
    response = as_user(world.sofia).post(period_url(period, "period-transition", name="request_issuance_review"),
                                         {"t-request_issuance_review-comment": "Too late"})
    assert response.status_code == 409  # the window closed: a conflict with the present state (pacm issue 9)
    assert state(period) == P.APPROVED


def test_the_board_rejects_with_reasons(as_user, world, in_window):
    period = in_window
    services.period_request_issuance_review(period=period, user=world.sofia, comment="Doubts")
    sam = as_user(world.sam)
    record = period_url(period, "board-period-record")
    response = sam.post(record, _meeting("reject_issuance", ""))
    assert "Give the reasons for this decision." in response.content.decode()
    assert state(period) == P.ISSUANCE_UNDER_SB_REVIEW
    sam.post(record, _meeting("reject_issuance", "Over-estimated leakage"))
    assert state(period) == P.REJECTED
    page = text(as_user(None).get(period_url(period)).content.decode())
    assert "Rejected" in page and "Preview of the split" not in page
    assert not UnitBlock.objects.exists()


def test_issued_period_shows_the_executed_split_and_its_blocks(as_user, world, registered, submit, drive):
    period = drive(submit(registered), P.ISSUED,
                   lines=[{"account": world.acct, "percent": "60"}, {"account": world.acct2, "percent": "40"}])
    page = text(as_user(None).get(period_url(period)).content.decode())
    assert "Executed split" in page and "Preview of the split" not in page
    assert "Gross issued 30,000" in page and "(RMP 58) 5% 1,500" in page and "(RMP 59) 2% 600" in page
    assert "Net to the participants' accounts 27,900" in page
    # The public reads the receiving accounts as the unit registry shows them (issue 11).
    assert "Private holding account 60% 16,740" in page and "Private holding account 40% 11,160" in page
    assert "PACM-H-DEV" not in page
    holder = text(as_user(world.ama).get(period_url(period)).content.decode())
    assert "PACM-H-DEV-1 60% 16,740" in holder and "PACM-H-DEV-2 40% 11,160" in holder
    assert "SOP rounded down, OMGE rounded up, per rule set 2025-08." in page
    blocks = list(UnitBlock.objects.filter(issuance__period=period).select_related("host_party", "activity"))
    assert len(blocks) == 4
    for block in blocks:
        assert serial_format(block) in page
    assert "Adaptation Fund share of proceeds" in page and "Mandatory OMGE cancellation" in page
    assert "Authorized for NDC use" in page


@pytest.mark.parametrize(
    "lines, message",
    [
        ([("NO-SUCH-ACCOUNT", None, 100)], "Unknown receiving account."),
        ([("PACM-H-SAV-1", None, 100)],
         "PACM-H-SAV-1 is neither a holding account of this activity&#x27;s participants nor a Party&#x27;s "
         "holding account (RMP 60; 7/CMA.4 annex I para 41)."),
    ],
)
def test_the_preview_refuses_an_account_as_the_submit_does(as_user, world, verified, lines, message):
    """pacm issue 9: the preview once showed units going to an account the submit then refused."""
    client = as_user(world.dora)
    shown = client.post(issue_url(verified), issuance_post(units=30_000, lines=lines, preview=True)).content.decode()
    submitted = client.post(issue_url(verified), issuance_post(units=30_000, lines=lines)).content.decode()
    assert message in shown and message in submitted
    assert "NO-SUCH-ACCOUNT 100%" not in text(shown) and "PACM-H-SAV-1 100%" not in text(shown)
    assert not IssuanceRequest.objects.exists() and state(verified) == P.VERIFIED
