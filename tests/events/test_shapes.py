"""Every event kind has a declared payload shape (pacm.events.shapes) and event_record refuses a
payload that does not match it; transition events name the documents they rest on by id and
hash, never copying another period's documents."""
import pytest
from django.db import transaction

from pacm.events.models import Event, EventKind
from pacm.events.services import event_record
from pacm.events.shapes import EventShapeError, kinds_without_shape, shape_of
from pacm.parties.roles import Actor
from projects import services
from tests import factories as f

OPENED = {"number": "X-1", "kind": "holding", "name": "X", "organisation": None, "party": None}


def test_every_event_kind_declares_its_shape():
    assert kinds_without_shape() == []


@pytest.mark.parametrize("payload, problem", [
    ({**OPENED, "surprise": 1}, "unknown keys ['surprise']"),
    ({k: v for k, v in OPENED.items() if k != "party"}, "missing keys ['party']"),
])
def test_a_payload_off_its_shape_is_refused_and_nothing_is_written(db, payload, problem):
    with pytest.raises(EventShapeError, match=problem.replace("[", r"\[").replace("]", r"\]")), transaction.atomic():
        event_record(stream="test:s", kind=EventKind.ACCOUNT_OPENED, actor=Actor.timer("t"), payload=payload)
    assert not Event.objects.filter(stream="test:s").exists()


def test_a_kind_with_no_shape_is_refused(db):
    with pytest.raises(EventShapeError), transaction.atomic():
        event_record(stream="test:s", kind="no.such.kind", actor=Actor.timer("t"), payload={})


def test_every_event_of_a_full_cycle_matches_its_shape(world, registered, submit, drive):
    """The events actually written (activity and period, up to issued units) fit their shapes."""
    from projects.cycle import PeriodState as P

    drive(submit(registered), P.ISSUED)
    kinds = set()
    for event in Event.objects.all():
        shape = shape_of(event.kind)
        assert shape.required <= set(event.payload) <= shape.required | shape.optional, event
        kinds.add(event.kind)
    assert {EventKind.ACTIVITY_TRANSITIONED, EventKind.MONITORING_TRANSITIONED, EventKind.ISSUANCE_EXECUTED,
            EventKind.FEE_PAID, EventKind.HOST_APPROVAL_ISSUED} <= kinds


def test_revisions_record_the_version_they_supersede(world, activity):
    import datetime

    for _ in range(2):
        services.host_approval_issue(activity=activity, user=world.dina, sd_confirmation="SD.", ndc_relation="NDC.",
                                     authorized_participants=[world.orgs["dev"]])
        services.authorization_statement_issue(activity=activity, user=world.dina, uses="ndc",
                                               effective_from=datetime.date(2021, 1, 1))
    approvals = Event.objects.filter(kind=EventKind.HOST_APPROVAL_ISSUED).order_by("sequence")
    statements = Event.objects.filter(kind=EventKind.AUTHORIZATION_ISSUED).order_by("sequence")
    assert [(e.payload["version"], e.payload["supersedes"]) for e in approvals] == [(1, None), (2, 1)]
    assert [(e.payload["version"], e.payload["supersedes"]) for e in statements] == [(1, None), (2, 1)]


def test_a_finding_change_records_the_status_it_had(world, activity, advance_to):
    from projects.cycle import ActivityState as A

    activity = advance_to(activity, A.UNDER_VALIDATION)
    finding = services.finding_raise(activity=activity, user=world.dora, kind="car", text="Source?")
    services.finding_answer(finding=finding, user=world.ama, response="Here.")
    events = Event.objects.filter(kind__startswith="finding.").order_by("sequence")
    assert [(e.kind, e.payload["previous_status"], e.payload["status"]) for e in events] == [
        (EventKind.FINDING_RAISED, None, "open"), (EventKind.FINDING_ANSWERED, "open", "answered"),
    ]


def test_activity_events_do_not_copy_the_periods_documents(world, registered, submit, drive):
    """A decision on the activity rests on its own documents, by id and hash; the many periods'
    documents stay out of its events (projects.machines.activity_documents)."""
    from projects.cycle import PeriodState as P

    for number in (1, 2, 3):
        period = submit(registered, number=number)
        for i in range(3):
            services.document_upload(activity=registered, user=world.dora, kind="verification_report",
                                     uploaded=f.pdf(f"v{number}-{i}.pdf"), period=period)
        drive(period, P.VERIFIED)
    own = Event.objects.filter(kind=EventKind.ACTIVITY_TRANSITIONED).order_by("-sequence").first()
    services.activity_deregister(activity=registered, user=Actor.board("test decision"), comment="Reasons.")
    last = Event.objects.filter(kind=EventKind.ACTIVITY_TRANSITIONED).order_by("-sequence").first()
    assert last.pk != own.pk and last.payload["transition"] == "deregister"
    rows = last.payload["documents"]
    assert len(rows) == len(own.payload["documents"])  # the periods' 12 versions added none
    assert all(set(r) == {"id", "kind", "version", "sha256"} for r in rows)
    assert {r["kind"] for r in rows}.isdisjoint({"verification_report", "monitoring_report"})
    period_event = Event.objects.filter(kind=EventKind.MONITORING_TRANSITIONED, payload__monitoring_period=3,
                                        payload__transition="certify").get()
    assert {r["kind"] for r in period_event.payload["documents"]} == {"monitoring_report", "verification_report"}
    assert all(len(r["sha256"]) == 64 for r in period_event.payload["documents"])
