"""Issue 11 item 5: the public period page masks the holders' accounts and the payment references
as the public unit registry does (7/CMA.4 annex I para 47; pacm.registry.selectors.public_holder).

Only the account's holder (the organisations acting on it) and the secretariat read its number
and name; only the activity's participants (who pay) and the secretariat (who records the
payment) read a fee's payment reference. Everyone else reads "Private holding account".
"""
import re

import pytest
from django.urls import reverse

from projects.cycle import PeriodState as P

SECRETS = ("PACM-H-DEV-1", "PACM-H-DEV-2", "Kpone Green Energy holding", "WIRE-ISS")


def text(response):
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


@pytest.fixture
def issued(world, registered, submit, drive):
    return drive(submit(registered), P.ISSUED,
                 lines=[{"account": world.acct, "percent": "60"}, {"account": world.acct2, "percent": "40"}])


def period_page(period):
    return reverse("period-detail", args=[period.activity.reference, period.number])


def test_the_public_and_the_other_roles_read_no_account_or_payment_reference(as_user, world, issued):
    for who in (None, world.kofi, world.dora, world.otto, world.dina, world.nils, world.sofia):
        page = text(as_user(who).get(period_page(issued)))
        assert [s for s in SECRETS if s in page] == [], who
        # What they do read: the shares, the units, that the fee was paid.
        assert "Private holding account : 60%" in page and "Private holding account 60% 16,740" in page, who
        assert "Private holding account: 16740" in page, who  # the issuance event's distribution
        assert "Paid" in page, who


def test_the_holder_and_the_secretariat_read_them(as_user, world, issued):
    for who in (world.ama, world.sam):
        page = text(as_user(who).get(period_page(issued)))
        assert all(s in page for s in SECRETS), who
        assert "PACM-H-DEV-1 60% 16,740" in page and "ref. WIRE-ISS" in page
        assert "PACM-H-DEV-1: 16740" in page  # the event's distribution


def test_another_participants_account_stays_masked_for_a_co_participant(as_user, world, registered, submit, drive):
    """Holding is per account: a participant of the activity reads its own account, not the other's."""
    registered.participants.add(world.orgs["dev2"])
    period = drive(submit(registered), P.ISSUED,
                   lines=[{"account": world.acct, "percent": "50"}, {"account": world.foreign, "percent": "50"}])
    # kofi acts for dev2 (Savannah Carbon), the holder of PACM-H-SAV-1.
    page = text(as_user(world.kofi).get(period_page(period)))
    assert "PACM-H-SAV-1" in page and "PACM-H-DEV-1" not in page
    assert "ref. WIRE-ISS" in page  # a participant of the activity: the fees it pays


def test_the_activity_page_masks_the_registration_payment_reference(as_user, world, registered):
    url = reverse("activity-detail", args=[registered.reference])
    for who in (None, world.kofi, world.dora, world.sofia):
        page = text(as_user(who).get(url))
        assert "WIRE-001" not in page, who
    for who in (world.ama, world.sam):
        assert "ref. WIRE-001" in text(as_user(who).get(url)), who
