"""The public unit registry (7/CMA.4 annex I para 47): issuances, serial blocks, totals, no login."""

import pytest
from django.urls import reverse

from pacm.registry.models import UnitBlock
from pacm.registry.serials import serial_format
from projects.cycle import PeriodState as P

from .conftest import period_url


@pytest.fixture
def issued(world, registered, submit, drive):
    return drive(submit(registered), P.ISSUED)


def test_public_page_shows_issuances_blocks_and_totals_without_login(client, world, issued):
    response = client.get(reverse("registry-units"))
    assert response.status_code == 200
    html = response.content.decode()
    assert period_url(issued) in html and "30,000" in html
    for block in UnitBlock.objects.select_related("host_party", "activity"):
        assert serial_format(block) in html
    assert "Adaptation Fund share of proceeds" in html and "Mandatory OMGE cancellation" in html
    assert "Authorized for NDC use" in html and "first transferred" in html
    assert "balanced" in html and "27,900" in html and "1,500" in html and "600" in html
    # A private entity's holding is shown, its holder is not named.
    assert "Private holding account" in html
    assert "Kpone Green Energy" not in html and "PACM-H-DEV-1" not in html


def test_public_page_filters_by_activity(client, world, issued):
    reference = issued.activity.reference
    html = client.get(reverse("registry-units"), {"activity": reference.lower()}).content.decode()
    assert f"Serial blocks of {reference}" in html and "3 blocks" in html
    html = client.get(reverse("registry-units"), {"activity": "A64-999999"}).content.decode()
    assert "No public activity has the reference “A64-999999”." in html and "0 blocks" in html


def test_empty_registry(client, db):
    html = client.get(reverse("registry-units")).content.decode()
    assert "No issuance yet." in html and "No serial block yet." in html


def test_home_page_and_navbar_link_to_the_unit_registry(client, as_user, world):
    link = f'href="{reverse("registry-units")}"'
    html = client.get(reverse("registry-public")).content.decode()
    assert html.count(link) >= 2  # the navbar and the home page's text
    html = as_user(world.ama).get(reverse("dashboard")).content.decode()
    assert link in html and f'href="{reverse("registry-accounts")}"' in html
