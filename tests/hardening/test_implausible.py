"""Issue 11, part 2: values that fit a column but not the world are refused or normalised.

- A reversal is at most the units ever issued for its activity, less the reversals already
  reported (reading in docs/rules-coverage.md): 2**63-1 tonnes used to be accepted and then
  blocked issuance forever.
- A text must show something: only zero-width characters, bidi controls or fillers are refused;
  spaces and invisible characters at either end are dropped (pacm.common.bounds.text_clean).
- Digits of any script are read as ASCII digits where they enter, and the page shows back the
  value as it was read (the choice taken: normalise, not refuse).
"""
import datetime
import re

import pytest
from django.urls import reverse

from pacm.common import bounds
from pacm.common.errors import ServiceError
from pacm.registry.models import LedgerTransaction
from projects import services
from projects.models import Activity, Finding
from tests import factories as f
from tests.move_steps import move_post

from .conftest import iso, observed_event, rows

INVISIBLE = ["\u200b", "\u200f\u202e", " \u2066\u2069 ", "\ufeff\u00ad", "\u3164\u3164", "\u2800", "\u200b \u200c\u200d"]


def pdd_post(world, **overrides):
    data = f.pdd_data(world.host, world.version)
    data.update(overrides)
    return {k: (v.pk if hasattr(v, "pk") else iso(v)) for k, v in data.items()}


def url(name, activity, **kw):
    return reverse(name, kwargs={"reference": activity.reference, **kw})


# --- Reversals: at most what was issued (reading reversals-2) ----------------------------------


def _determine(world, event, authorized):
    from projects.reversals import services as rev

    return rev.event_determine_reversal(event=event, user=world.sofia, authorized=authorized, contribution=0,
                                        avoidable=False, comment="Fire")


def test_a_reversal_of_2_63_minus_1_is_refused(as_user, world, issued):
    event = observed_event(world, issued, until="full_verified")
    before = rows()
    with pytest.raises(ServiceError, match="at most 10,000,000,000"):
        _determine(world, event, 2**63 - 1)
    with pytest.raises(ServiceError, match="At most 30,000 t CO2e can be determined as reversed"):
        _determine(world, event, 30_001)
    assert rows() == before


def test_reversals_add_up_to_at_most_the_units_issued(world, issued):
    from projects.reversals import services as rev

    first = _determine(world, observed_event(world, issued, until="full_verified"), 20_000)
    rev.event_cancel_from_buffer(event=first, user=world.sam)
    second = observed_event(world, issued, until="full_verified")
    with pytest.raises(ServiceError, match="At most 10,000 t CO2e can be determined"):
        _determine(world, second, 10_001)
    last = _determine(world, second, 10_000)
    assert first.magnitude + last.magnitude == 30_000


def test_nothing_issued_nothing_to_reverse(world, removals):
    event = observed_event(world, removals, until="full_verified")
    with pytest.raises(ServiceError, match="At most 0 t CO2e can be determined"):
        _determine(world, event, 1)


# --- Text that shows nothing ------------------------------------------------------------------


@pytest.mark.parametrize("title", INVISIBLE)
def test_a_title_of_invisible_characters_is_refused(as_user, world, title):
    before = rows()
    response = as_user(world.ama).post(reverse("activity-create"), pdd_post(world, title=title))
    html = response.content.decode()
    assert response.status_code == 200
    assert bounds.INVISIBLE_MESSAGE in html or "This field is required." in html
    assert rows() == before


@pytest.mark.parametrize("title", INVISIBLE)
def test_the_service_refuses_an_invisible_title_too(world, title):
    with pytest.raises(ServiceError) as error:
        services.activity_create(user=world.ama, **f.pdd_data(world.host, world.version, title=title))
    assert error.value.errors["title"] == bounds.INVISIBLE_MESSAGE
    assert not Activity.objects.exists()


def test_invisible_characters_at_the_ends_are_dropped_and_nfc_applied(as_user, world):
    title = "\u200b\u2066Cafe\u0301 solar\u2069\u200f "
    response = as_user(world.ama).post(reverse("activity-create"), pdd_post(world, title=title))
    assert response.status_code == 302
    assert Activity.objects.get().title == "Caf\u00e9 solar"


def test_control_characters_are_refused(as_user, world):
    response = as_user(world.ama).post(reverse("activity-create"), pdd_post(world, location="Kpone\x07\x1b[2J"))
    assert bounds.CONTROL_MESSAGE in response.content.decode()
    assert not Activity.objects.exists()


@pytest.fixture
def validating(activity, advance_to):
    from projects.cycle import ActivityState as A

    return advance_to(activity, A.CONSULTATION)


@pytest.mark.parametrize("text", INVISIBLE)
def test_a_finding_of_invisible_characters_is_refused(as_user, world, validating, text):
    response = as_user(world.dora).post(url("finding-raise", validating), {"finding-kind": "cl", "finding-text": text})
    assert response.status_code == 200
    assert bounds.INVISIBLE_MESSAGE in response.content.decode() or "This field is required." in response.content.decode()
    with pytest.raises(ServiceError, match="Describe the finding."):
        services.finding_raise(activity=validating, user=world.dora, kind="cl", text=text)
    assert not Finding.objects.exists()


@pytest.mark.parametrize("service, kwargs, message", [
    ("host_approval_issue", {"sd_confirmation": "\u200b", "ndc_relation": "Within the NDC."}, "RMP 40(a)"),
    ("host_approval_issue", {"sd_confirmation": "Fosters SD.", "ndc_relation": "\u2066\u2069"}, "RMP 40(c)"),
])
def test_the_host_approval_needs_visible_text(world, validating, service, kwargs, message):
    with pytest.raises(ServiceError, match=re.escape(message)):
        getattr(services, service)(activity=validating, user=world.dina, authorized_participants=[world.orgs["dev"]],
                                   **kwargs)


def test_registry_purpose_and_account_name_need_visible_text(as_user, world, issued):
    before = LedgerTransaction.objects.count()
    response = as_user(world.ama).post(reverse("registry-cancel", kwargs={"number": "PACM-H-DEV-1"}),
                                       {"cancel-quantity": "5", "cancel-purpose": "\u200b\u200b"})
    assert bounds.INVISIBLE_MESSAGE in response.content.decode()
    from pacm.registry import services as registry

    with pytest.raises(ServiceError, match="Give the purpose"):
        registry.units_cancel_voluntarily(user=world.ama, from_account=world.acct, quantity=5, purpose="\u200b")
    with pytest.raises(ServiceError, match="Give the account a name"):
        registry.account_open(kind="holding", name="\u3164", organisation=world.orgs["dev2"])
    assert LedgerTransaction.objects.count() == before


# --- Digits of other scripts ------------------------------------------------------------------


def test_arabic_indic_digits_are_read_and_shown_back_normalised(as_user, world):
    """٤٠٠٠٠ is read as 40000, and a page shown again (here: the title is missing) shows 40000."""
    client = as_user(world.ama)
    data = pdd_post(world, title="", estimated_annual="٤٠٠٠٠", crediting_end="٢٠٣٠-٠١-٠١")
    html = client.post(reverse("activity-create"), data).content.decode()
    assert 'name="estimated_annual" value="40000"' in html
    assert 'value="2030-01-01"' in html
    assert "٤" not in html
    assert not Activity.objects.exists()


def test_arabic_indic_digits_are_stored_as_the_number_they_write(as_user, world):
    today = datetime.date.today()
    start = today - datetime.timedelta(days=30)
    to_arabic = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
    data = pdd_post(world, title="Solar", estimated_annual="٤٠٠٠٠", start_date=start.isoformat().translate(to_arabic),
                    crediting_start=start.isoformat().translate(to_arabic),
                    host_party=str(world.host.pk).translate(to_arabic))
    response = as_user(world.ama).post(reverse("activity-create"), data)
    assert response.status_code == 302
    activity = Activity.objects.get()
    assert (activity.estimated_annual, activity.start_date, activity.host_party) == (40_000, start, world.host)


@pytest.mark.parametrize("value", ["4\u00b2", "\u2460", "40\u00a0000x"])
def test_characters_that_only_look_like_digits_are_refused(as_user, world, value):
    html = as_user(world.ama).post(reverse("activity-create"), pdd_post(world, estimated_annual=value)).content.decode()
    assert "Enter a whole number." in html
    assert not Activity.objects.exists()


def test_fullwidth_digits_are_read(as_user, world):
    response = as_user(world.ama).post(reverse("activity-create"),
                                       pdd_post(world, title="Wind", estimated_annual="４００００"))
    assert response.status_code == 302 and Activity.objects.get().estimated_annual == 40_000


def test_the_registry_reads_other_digits_too(as_user, world, issued):
    response = move_post(as_user(world.ama), reverse("registry-cancel", kwargs={"number": "PACM-H-DEV-1"}),
                         {"cancel-quantity": "١٢", "cancel-purpose": "Voluntary claim"})
    assert response.status_code == 302
    assert LedgerTransaction.objects.order_by("-pk").first().quantity == 12
