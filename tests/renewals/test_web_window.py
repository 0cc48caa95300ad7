"""A renewal outside its window through the pages (A6.4-PROC-AC-002 v03.0 paras 242-243;
RuleSet `renewal_request_before_days`, `renewal_request_after_days`): the client's POST shows the
refusal on the form (400) and changes nothing: no renewal, no state change, no fee, no event, no
document. Personas: ama requests, otto (Orbis) validates and submits."""
import datetime

import pytest
from django.urls import reverse

from pacm.events.models import Event
from projects.models import DocumentVersion, Fee
from projects.renewals.cycle import RenewalState as S
from projects.renewals.models import RenewalRequest

from .helpers import fresh, registered_renewable, request, validate
from .test_web import _at, _post

pytestmark = pytest.mark.django_db


def _counts():
    return (RenewalRequest.objects.count(), Event.objects.count(), Fee.objects.count(),
            DocumentVersion.objects.count())


def test_a_submission_before_the_window_opens_is_a_form_error_that_changes_nothing(
        world, advance_to, client, time_machine):
    """PROC-AC-002 para 242 (guard renewal_in_window, code renewal_window_not_open): no earlier than
    270 days before the end. The DOE's submission 300 days before: the message on the page, the
    renewal still validated, no renewal fee assessed, no event."""
    activity = registered_renewable(world, advance_to)
    _at(time_machine, activity.crediting_end - datetime.timedelta(days=300))
    renewal = validate(world, request(world, activity))
    opens = activity.crediting_end - datetime.timedelta(days=270)
    before = _counts()
    client.force_login(world.otto)
    url = reverse("renewal-act", kwargs={"pk": renewal.pk, "name": "submit_renewal"})
    response = client.post(url, {"w-submit_renewal-expected_state": S.VALIDATED})
    assert response.status_code == 400
    assert (f"The request for renewal may be submitted from {opens.isoformat()}, before the period ends on "
            f"{activity.crediting_end.isoformat()}") in response.content.decode()
    renewal = fresh(renewal)
    assert renewal.state == S.VALIDATED and renewal.fee_id is None
    assert _counts() == before


def test_a_request_after_the_window_closed_is_a_form_error_that_changes_nothing(
        world, advance_to, client, time_machine):
    """PROC-AC-002 paras 242-243 (code renewal_window_closed): no later than 365 days after the end.
    The participant's request 366 days after: the message on the form, no renewal, no document,
    no event."""
    activity = registered_renewable(world, advance_to)
    _at(time_machine, activity.crediting_end + datetime.timedelta(days=366))
    closes = activity.crediting_end + datetime.timedelta(days=365)
    before = _counts()
    client.force_login(world.ama)
    url = reverse("renewal-open", kwargs={"kind": "project", "reference": activity.reference})
    response = client.post(url, _post(world))
    assert response.status_code == 400
    assert (f"The period ended on {activity.crediting_end.isoformat()} and the request for its renewal had to be "
            f"submitted by {closes.isoformat()}: it may no longer be renewed") in response.content.decode()
    assert _counts() == before
