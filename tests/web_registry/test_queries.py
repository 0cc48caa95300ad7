"""No N+1: the period page, an account statement and the public registry read in a fixed number of
queries, whether they show 1 block or 20 more (and 1 transaction or 20 more)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from pacm.registry.models import LedgerTransaction, UnitBlock
from pacm.registry.services import units_transfer
from projects.cycle import PeriodState as P
from tests.move_steps import move_post

from .conftest import period_url

# Ceilings for one page view (session, user, navbar, permission predicates, rule set, one query per
# list); they do not grow with blocks or transactions.
PERIOD_PAGE_MAX_QUERIES = 30
# The statement reads a page of keys from each of its two sides, then those rows (issue 8).
ACCOUNT_PAGE_MAX_QUERIES = 18
PUBLIC_PAGE_MAX_QUERIES = 8


def count(client, url):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.fixture
def issued(world, registered, submit, drive):
    return drive(submit(registered), P.ISSUED)


def split_into_blocks(world, n):
    """n transfers of 1 unit: each leaves a new serial block of the same issuance in PACM-H-DEV-2."""
    for _ in range(n):
        units_transfer(user=world.ama, from_account=world.acct, to_account=world.acct2, quantity=1)


@pytest.mark.parametrize("who", ["ama", "sam", None])
def test_period_page_queries_do_not_grow_with_blocks(as_user, world, issued, django_assert_max_num_queries, who):
    client = as_user(getattr(world, who) if who else None)
    split_into_blocks(world, 1)
    small = count(client, period_url(issued))
    split_into_blocks(world, 20)
    assert UnitBlock.objects.filter(issuance__period=issued).count() >= 24
    assert count(client, period_url(issued)) == small
    with django_assert_max_num_queries(PERIOD_PAGE_MAX_QUERIES):
        html = client.get(period_url(issued)).content.decode()
    assert html.count("A6.4ER-GH-") >= 24


def test_account_statement_queries_do_not_grow_with_transactions(as_user, world, issued, django_assert_max_num_queries):
    client = as_user(world.ama)
    url = reverse("registry-account", kwargs={"number": world.acct2.number})
    split_into_blocks(world, 1)
    small = count(client, url)
    split_into_blocks(world, 20)
    assert LedgerTransaction.objects.filter(to_account=world.acct2).count() == 21
    assert count(client, url) == small
    with django_assert_max_num_queries(ACCOUNT_PAGE_MAX_QUERIES):
        html = client.get(url).content.decode()
    assert html.count("+1<") == 21


def test_public_registry_queries_do_not_grow_with_blocks(client, world, issued, django_assert_max_num_queries):
    url = reverse("registry-units")
    split_into_blocks(world, 1)
    small = count(client, url)
    split_into_blocks(world, 20)
    assert UnitBlock.objects.count() >= 24
    assert count(client, url) == small
    with django_assert_max_num_queries(PUBLIC_PAGE_MAX_QUERIES):
        html = client.get(url).content.decode()
    assert html.count("A6.4ER-GH-") >= 24


def test_activity_page_queries_do_not_grow_with_periods_and_observed_events(as_user, world, removals, submit, drive):
    import datetime

    from django.utils import timezone

    from projects.cycle import PeriodState
    from projects.reversals import services as rev

    def notify():
        today = timezone.localdate()
        event = rev.observed_event_notify(activity=removals, user=world.ama, description="Cut", location="Plot 1",
                                          occurred_from=today - datetime.timedelta(days=1), aware_on=today)
        rev.event_suspend_units(event=event, user=world.sofia, comment="Para 44")

    client = as_user(world.ama)
    url = reverse("activity-detail", kwargs={"reference": removals.reference})
    drive(submit(removals), PeriodState.ISSUED)
    notify()
    small = count(client, url)
    for number in (2, 3, 4):
        submit(removals, number=number)
        notify()
    assert count(client, url) == small
    html = client.get(url).content.decode()
    assert all(period_url(p) in html for p in removals.monitoring_periods.all())
    assert len(re.findall(r'id="suspension-\d+"', html)) == 4 and html.count("/observed-events/") >= 4


def test_account_and_public_pages_stay_bounded_past_a_page_of_blocks(as_user, client, world, issued):
    """pacm issue 8: with more blocks than a page, both pages read the same number of queries and
    show one page (keyset on the key), with a link to the next rows."""
    owner = as_user(world.ama)
    account = reverse("registry-account", kwargs={"number": world.acct2.number})
    public = reverse("registry-units")
    split_into_blocks(world, 2)
    small_account, small_public = count(owner, account), count(client, public)
    split_into_blocks(world, 60)
    assert UnitBlock.objects.filter(account=world.acct2).count() == 62
    assert count(owner, account) == small_account and count(client, public) == small_public
    html = owner.get(account).content.decode()
    assert html.count("A6.4ER-GH-") <= 50 + 25 * 1 + 1  # one page of blocks, ranges of one statement page
    assert "blocks_after=" in html and "?before=" in html
    assert re.search(r'<input[^>]*name="transfer-activity"', html)  # a text field, not a dropdown
    page = client.get(public).content.decode()
    assert "blocks_after=" in page


def test_move_form_takes_the_activity_reference(as_user, world, issued):
    """The activity filter is a text field (no dropdown of every held activity): an unknown reference
    is a form error and moves nothing; a known one moves that activity's units."""
    client = as_user(world.ama)
    url = reverse("registry-transfer", kwargs={"number": world.acct.number})
    before = LedgerTransaction.objects.count()
    data = {"transfer-to_account": world.acct2.number, "transfer-quantity": "3", "transfer-activity": "A64-NOPE"}
    response = client.post(url, data)
    assert response.status_code == 200 and "There is no activity with this reference." in response.content.decode()
    assert LedgerTransaction.objects.count() == before
    data["transfer-activity"] = issued.activity.reference.lower()
    assert move_post(client, url, data).status_code == 302
    row = LedgerTransaction.objects.order_by("-pk").first()
    assert row.quantity == 3 and {e.block.activity_id for e in row.entries.all()} == {issued.activity_id}
