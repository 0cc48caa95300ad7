"""An action that creates a subject tells who acts next on the new one (issue 6 §2: after a
monitoring report, the verification DOE is told; with none engaged, the participants see that one
must be engaged)."""
from pacm.engine.offers import waiting_q
from pacm.notifications.models import Notification
from projects import services
from projects.machines import ACTIVITY
from projects.models import Activity


def test_a_monitoring_report_tells_the_verification_doe_of_the_new_period(world, registered, submit, told):
    usernames, rows = told("submit_monitoring_report", lambda: submit(registered))
    period_rows = [r for r in rows if r.machine == "period"]
    assert {r.recipient.username for r in period_rows} == {"dora"}
    assert usernames == {"dora"}  # ama acted; nobody else waits on the activity
    assert all("monitoring period 1" in r.subject_line for r in period_rows)
    assert Notification.objects.filter(recipient=world.ama).count() == 0


def test_with_no_verification_doe_the_participants_are_asked_to_engage_one(world, registered, submit):
    Activity.objects.filter(pk=registered.pk).update(verification_doe=None)
    assert not Activity.objects.filter(waiting_q(world.ama, ACTIVITY), pk=registered.pk).exists()
    submit(registered)
    assert Activity.objects.filter(waiting_q(world.ama, ACTIVITY), pk=registered.pk).exists()
    services.activity_engage_doe(activity=registered, user=world.ama, doe=world.orgs["doe"])
    assert not Activity.objects.filter(waiting_q(world.ama, ACTIVITY), pk=registered.pk).exists()
