"""Helpers shared by the activity-cycle tests: what a refused call must leave untouched, and
what an event must say about the documents a decision was taken on."""
import hashlib

from pacm.events.models import Event
from projects.models import Activity, Document, DocumentVersion, Fee, Finding

PERSONAS = ("ama", "kofi", "dora", "otto", "dina", "nils", "sam", "sofia")


def snapshot(activity):
    """Everything a refused request must leave exactly as it was."""
    a = Activity.objects.get(pk=activity.pk)
    return {
        "state": a.state,
        "due_at": a.due_at,
        "state_entered_at": a.state_entered_at,
        "risk_rating": a.risk_rating,
        "validation_doe": a.validation_doe_id,
        "events": Event.objects.count(),
        "stream_events": Event.objects.filter(stream=a.stream).count(),
        "fees": list(Fee.objects.filter(activity=a).values_list("pk", "status").order_by("pk")),
        "documents": Document.objects.count(),
        "versions": DocumentVersion.objects.count(),
        "findings": list(Finding.objects.filter(activity=a).values_list("pk", "status").order_by("pk")),
        "host_approvals": a.host_approvals.count(),
        "authorizations": a.authorization_statements.count(),
    }


def stored_documents(activity, period=None):
    """The latest version of each document a decision on the activity (or the period) rests on,
    hashed again from the stored file: the activity's own documents, or the period's."""
    latest = {}
    versions = DocumentVersion.objects.filter(document__activity=activity, document__monitoring_period=period)
    for version in versions.select_related("document"):
        if version.document_id not in latest or version.number > latest[version.document_id].number:
            latest[version.document_id] = version
    result = []
    for version in latest.values():
        with version.file.open("rb") as fh:
            digest = hashlib.sha256(fh.read()).hexdigest()
        result.append({"id": version.pk, "kind": version.document.kind, "version": version.number, "sha256": digest})
    return sorted(result, key=lambda d: (d["kind"], d["version"]))


def by_kind(documents):
    return sorted(documents, key=lambda d: (d["kind"], d["version"]))


def new_events(activity, since):
    """The events of the activity's stream after sequence `since`, oldest first."""
    return list(Event.objects.filter(stream=activity.stream, sequence__gt=since).order_by("sequence"))


def last_sequence(activity):
    last = Event.objects.filter(stream=activity.stream).order_by("-sequence").first()
    return last.sequence if last else 0


def post_crediting(activity):
    """A6.4-STAN-METH-002 v01.0 paras 26-28: a removals activity whose crediting period has ended."""
    import datetime

    from django.utils import timezone

    from projects.models import Activity

    methodology = activity.methodology_version.methodology
    methodology.kind = "removals"
    methodology.save()
    Activity.objects.filter(pk=activity.pk).update(crediting_end=timezone.localdate() - datetime.timedelta(days=1))
