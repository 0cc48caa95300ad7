from pacm.events.services import chain_verify
from projects.cycle import ActivityState as A


def test_activity_reaches_registered_through_services(activity, advance_to):
    activity = advance_to(activity, A.REGISTERED)
    assert activity.state == A.REGISTERED
    kinds = list(activity.events.values_list("to_state", flat=True).exclude(to_state=""))
    assert kinds[-1] == A.REGISTERED
    assert chain_verify(activity.stream) == []
    last = activity.events.order_by("-sequence").first()
    assert last.actor is None and last.actor_label == "timer:register_after_appeal" and last.role == "timer"
