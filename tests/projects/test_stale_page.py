"""A button pressed on a stale page never applies a transition the person did not see."""
import pytest

from pacm.common.errors import Refused
from projects import services
from projects.cycle import ActivityState as A


def test_service_refuses_when_the_state_changed_since_the_page(world, activity, advance_to):
    activity = advance_to(activity, A.COMPLETENESS_CHECK)
    services.activity_pass_completeness_check(activity=activity, user=world.sam)
    events = activity.events.count()
    # The second click of the same page: "return incomplete" is allowed from the information
    # check too, but the page showed the completeness check.
    with pytest.raises(Refused, match="changed while you were looking"):
        services.activity_return_incomplete(
            activity=activity, user=world.sam, comment="Missing annex", expected_state=A.COMPLETENESS_CHECK
        )
    activity.refresh_from_db()
    assert activity.state == A.INFORMATION_CHECK and activity.events.count() == events


def test_web_double_click_applies_once(client, world, activity, advance_to):
    activity = advance_to(activity, A.COMPLETENESS_CHECK)
    client.force_login(world.sam)
    url = f"/activities/{activity.reference}/do/"
    ok = client.post(url + "pass_completeness_check/", {"t-pass_completeness_check-expected_state": A.COMPLETENESS_CHECK})
    assert ok.status_code == 302
    stale = client.post(url + "return_incomplete/", {
        "t-return_incomplete-expected_state": A.COMPLETENESS_CHECK, "t-return_incomplete-comment": "Missing annex",
    })
    assert stale.status_code == 409 and b"changed while you were looking" in stale.content
    activity.refresh_from_db()
    assert activity.state == A.INFORMATION_CHECK
