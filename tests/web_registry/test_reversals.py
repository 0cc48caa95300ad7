"""Reversals through the activity page (policy.md §2; rules.md §4.3)."""

import pytest
from django.urls import reverse

from pacm.events.models import Event, EventKind
from pacm.registry.models import Account, AccountKind, UnitBlock
from projects import services
from projects.cycle import PeriodState as P
from projects.models import Reversal

from .. import factories as f
from .conftest import form_actions


def held(account):
    return sum(b.quantity for b in UnitBlock.objects.filter(account=account))


def page(activity):
    return reverse("activity-detail", kwargs={"reference": activity.reference})


def url(name, activity, **kw):
    return reverse(name, kwargs={"reference": activity.reference, **kw})


def report_post(quantity="1200", kind="unavoidable", description="Wildfire in compartment 4", evidence=None):
    data = {"reversal-quantity": quantity, "reversal-kind": kind, "reversal-description": description}
    if evidence is not None:
        data["reversal-evidence"] = evidence
    return data


@pytest.fixture
def issued(world, removals, submit, drive):
    """30,000 issued for the low-risk removals activity: buffer 10% = 3,000 (rule set 2025-08)."""
    drive(submit(removals), P.ISSUED)
    return removals


def test_no_reversal_form_for_a_reductions_activity(as_user, world, registered):
    html = as_user(world.ama).get(page(registered)).content.decode()
    assert url("reversal-report", registered) not in form_actions(html)
    response = as_user(world.ama).post(url("reversal-report", registered), report_post())
    assert response.status_code == 403
    assert not Reversal.objects.exists()


def test_participant_reports_a_reversal_with_evidence(as_user, world, issued):
    client = as_user(world.ama)
    assert url("reversal-report", issued) in form_actions(client.get(page(issued)).content.decode())
    response = client.post(url("reversal-report", issued), report_post(evidence=f.pdf("fire.pdf")))
    assert response.status_code == 302
    reversal = Reversal.objects.get(activity=issued)
    assert (reversal.quantity, reversal.kind, reversal.status, reversal.reported_by) == (
        1_200, "unavoidable", "reported", world.orgs["dev"])
    assert reversal.evidence.original_name == "fire.pdf"
    event = Event.objects.get(stream=issued.stream, kind=EventKind.REVERSAL_REPORTED)
    assert (event.actor, event.comment) == (world.ama, "Wildfire in compartment 4")
    html = as_user(None).get(page(issued)).content.decode()
    assert "Wildfire in compartment 4" in html and reversal.evidence.sha256 in html


@pytest.mark.parametrize(
    "data, message",
    [
        (report_post(quantity="0"), "Ensure this value is greater than or equal to 1."),
        (report_post(quantity="2.5"), "Enter a whole number."),
        (report_post(kind=""), "This field is required."),
        (report_post(kind="deliberate"), "Select a valid choice."),
        (report_post(description=""), "This field is required."),
        (report_post(evidence=f.pdf("evil.exe")), "Upload a PDF or office document"),
    ],
)
def test_bad_reversal_reports_change_nothing(as_user, world, issued, data, message):
    response = as_user(world.ama).post(url("reversal-report", issued), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Reversal.objects.exists()


def test_only_participants_and_the_doe_report(as_user, world, issued):
    for who in (world.kofi, world.otto, world.sam, world.sofia, world.dina):
        assert as_user(who).post(url("reversal-report", issued), report_post()).status_code == 403, who
    assert not Reversal.objects.exists()
    assert as_user(world.dora).post(url("reversal-report", issued), report_post()).status_code == 302
    assert Reversal.objects.get().reported_by == world.orgs["doe"]


def test_secretariat_draws_on_the_buffer_for_an_unavoidable_reversal(as_user, world, issued):
    reversal = services.reversal_report(activity=issued, user=world.ama, quantity=1_200, kind="unavoidable",
                                        description="Storm")
    buffer = Account.objects.get(kind=AccountKind.BUFFER)
    assert held(buffer) == 3_000
    draw = url("reversal-cancel-from-buffer", issued, reversal_id=reversal.pk)
    assert draw not in form_actions(as_user(world.ama).get(page(issued)).content.decode())
    for who in (world.ama, world.dora, world.sofia):
        assert as_user(who).post(draw).status_code == 403, who
    # The participants cannot compensate before the buffer has been drawn.
    compensate = url("reversal-compensate", issued, reversal_id=reversal.pk)
    response = as_user(world.ama).post(compensate, {f"compensate-{reversal.pk}-from_account": world.acct.pk,
                                                    f"compensate-{reversal.pk}-quantity": "10"})
    assert response.status_code == 403
    sam = as_user(world.sam)
    assert draw in form_actions(sam.get(page(issued)).content.decode())
    response = sam.post(draw)
    assert response.status_code == 302
    reversal.refresh_from_db()
    assert (reversal.status, reversal.cancelled, reversal.buffer_drawn) == ("settled", 1_200, True)
    assert held(buffer) == 1_800
    assert held(Account.objects.get(kind=AccountKind.ADMIN_CANCELLATION)) == 1_200
    assert "1,200 units cancelled from the buffer: the reversal is settled." in sam.get(response.url).content.decode()
    # Drawn once: the button is gone and a second press is refused.
    assert draw not in form_actions(sam.get(page(issued)).content.decode())
    assert sam.post(draw).status_code == 403
    assert held(buffer) == 1_800


def test_participant_compensates_an_avoidable_reversal(as_user, world, issued):
    reversal = services.reversal_report(activity=issued, user=world.ama, quantity=500, kind="avoidable",
                                        description="Unauthorised harvest")
    before = held(world.acct)
    compensate = url("reversal-compensate", issued, reversal_id=reversal.pk)
    key = f"compensate-{reversal.pk}"
    client = as_user(world.ama)
    html = client.get(page(issued)).content.decode()
    assert compensate in form_actions(html)
    assert url("reversal-cancel-from-buffer", issued, reversal_id=reversal.pk) not in form_actions(
        as_user(world.sam).get(page(issued)).content.decode())
    client = as_user(world.ama)
    for data, message in (
        ({f"{key}-from_account": world.acct.pk, f"{key}-quantity": "501"},
         "Compensate between 1 and the 500 units outstanding."),
        ({f"{key}-from_account": world.foreign.pk, f"{key}-quantity": "500"}, "Select a valid choice."),
        ({f"{key}-from_account": world.acct.pk, f"{key}-quantity": "0"}, "greater than or equal to 1"),
    ):
        response = client.post(compensate, data)
        assert response.status_code == 200 and message in response.content.decode()
    assert held(world.acct) == before
    assert as_user(world.kofi).post(compensate, {f"{key}-from_account": world.foreign.pk,
                                                 f"{key}-quantity": "500"}).status_code == 403
    client = as_user(world.ama)
    response = client.post(compensate, {f"{key}-from_account": world.acct.pk, f"{key}-quantity": "500"})
    assert response.status_code == 302
    reversal.refresh_from_db()
    assert reversal.status == "settled" and reversal.cancelled == 500
    assert held(world.acct) == before - 500
    event = Event.objects.filter(stream=issued.stream, kind=EventKind.REVERSAL_SETTLED).last()
    assert event.actor == world.ama and event.payload["compensated"] == 500
