"""The reversal risk rating on the activity page (pacm issue 10; A6.4-STAN-METH-002 paras 38-41, 49):
its history and the revision's forms, built from `available_actions`, each write through its service."""
from decimal import Decimal

from django.test import Client
from django.urls import reverse

from projects import services
from projects.models import RiskAssessment
from projects.risk.services import activity_risk_revision_require, revision_schedule
from tests import factories as f


def _url(activity, name, number=1):
    return reverse("risk-revision-act", kwargs={"reference": activity.reference, "number": number, "name": name})


def test_participants_submit_and_the_doe_validates_on_the_page(world, removals):
    revision_schedule(activity=removals, number=1)
    activity_risk_revision_require(activity=removals, user=world.sofia, comment="After the fire")
    services.document_upload(activity=removals, user=world.ama, kind="risk_assessment", uploaded=f.pdf("risk.pdf"))
    page = reverse("activity-detail", kwargs={"reference": removals.reference})
    ama, dora = Client(), Client()
    ama.force_login(world.ama)
    dora.force_login(world.dora)
    html = ama.get(page).content.decode()
    assert 'id="risk"' in html and _url(removals, "submit_revision") in html
    assert _url(removals, "submit_revision") not in dora.get(page).content.decode()
    assert dora.post(_url(removals, "submit_revision"), {"risk-1-submit_revision-rating": "12"}).status_code == 403
    response = ama.post(_url(removals, "submit_revision"), {"risk-1-submit_revision-rating": "101"}, follow=True)
    assert RiskAssessment.objects.get(activity=removals, number=1).state == "due"
    assert "Ensure this value is less than or equal to 100" in response.content.decode()
    ama.post(_url(removals, "submit_revision"), {"risk-1-submit_revision-rating": "12.5",
                                                 "risk-1-submit_revision-expected_state": "due"})
    assert RiskAssessment.objects.get(activity=removals, number=1).state == "submitted"
    assert _url(removals, "validate_revision") in dora.get(page).content.decode()
    dora.post(_url(removals, "validate_revision"), {"risk-1-validate_revision-expected_state": "submitted"})
    removals.refresh_from_db()
    assert removals.risk_rating_percent == Decimal("12.50")
    html = ama.get(page).content.decode()
    assert "12.50 %" in html and "Validated by the DOE" in html
    assert ama.post(_url(removals, "no_such_write"), {}).status_code == 404
    assert ama.post(_url(removals, "submit_revision", number=77), {}).status_code == 404
