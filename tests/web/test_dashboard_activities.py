"""The dashboard lists the activities each person works on, and only those."""
from projects.cycle import ActivityState as A


def test_doe_and_dna_see_the_activities_they_work_on(client, world, activity, advance_to):
    activity = advance_to(activity, A.CONSULTATION)
    for person, sees in ((world.dora, True), (world.dina, True), (world.otto, False), (world.nils, False),
                         (world.kofi, False), (world.ama, True)):
        client.force_login(person)
        page = client.get("/dashboard/").content.decode()
        assert (activity.reference in page) is sees, person.username


def test_the_host_dna_does_not_see_a_draft(client, world, activity):
    client.force_login(world.dina)
    assert activity.reference not in client.get("/dashboard/").content.decode()
