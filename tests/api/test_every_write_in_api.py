"""Every write a person may press is in the API (pacm issue 9: "every action of `available_actions`,
as `POST .../actions/{name}`"): for every registered machine and every pressable write, an adapter
(`pacm.api.actions.api_write`, or the input-less transition's service); a write that takes a file
is declared with its parts and taken as multipart on `POST .../actions/{name}/upload`, which the
listing names in `endpoint`. A new write declared without an adapter fails the first test."""
import pytest
from django.urls import reverse
from django.utils.module_loading import import_string

from pacm.api.actions import FILE_WRITES, UPLOAD_PARTS, adapter_for
from pacm.engine.machines import machines
from projects.cycle import ActivityState as A

pytestmark = pytest.mark.django_db


def _pressable():
    import pacm.urls  # noqa: F401  (the API's routes, and with them every app's adapters)

    return [(m, spec) for m in machines() for spec in m.pressable()]


def test_every_pressable_write_of_every_machine_has_an_api_adapter():
    missing = [f"{m.name}.{spec.name}" for m, spec in _pressable() if adapter_for(m, spec) is None]
    assert missing == [], f"writes without an API adapter (pacm.api.actions.api_write): {missing}"
    assert len(_pressable()) >= 184  # today's count: a machine dropped from the registry would hide its writes


def test_every_write_declared_with_files_is_a_pressable_write_whose_web_form_takes_them():
    """The declared parts are real: each is a FileField of the web form the adapter reads."""
    pressable = {(m.name, spec.name) for m, spec in _pressable()}
    assert set(FILE_WRITES) <= pressable
    for (machine, name), (parts, _optional) in FILE_WRITES.items():
        assert parts and set(parts) <= set(UPLOAD_PARTS), (machine, name)
    assert FILE_WRITES[("activity", "upload_document")] == (("file",), False)
    assert FILE_WRITES[("component", "notify_renewal")] == (("design", "report"), False)
    assert FILE_WRITES[("activity", "request_monitoring_termination")] == (("evidence",), True)


@pytest.mark.parametrize("form_path, parts", [
    ("projects.forms.DocumentUploadForm", {"file"}),
    ("projects.forms.PeriodSubmitForm", {"report"}),
    ("projects.poa.forms.CPDocumentForm", {"file"}),
    ("projects.poa.forms.BatchForm", {"report"}),
    ("projects.renewals.forms.RenewalRequestForm", {"design"}),
    ("projects.renewals.forms.CPRenewalNotifyForm", {"design", "report"}),
    ("projects.renewals.forms.ValidateForm", {"report"}),
    ("projects.reversals.forms.ReportForm", {"report"}),
    ("projects.removals.forms.TerminationRequestForm", {"evidence"}),
    ("projects.transition.finalisation_forms.PeriodForm", {"report"}),
])
def test_the_web_forms_file_fields_are_upload_parts(form_path, parts):
    from django import forms

    form = import_string(form_path)
    files = {n for n, field in form.base_fields.items() if isinstance(field, forms.FileField)}
    assert files == parts and files <= set(UPLOAD_PARTS)


def test_the_listing_names_the_multipart_route_of_a_write_that_takes_a_file(world, activity, advance_to, bearer):
    activity = advance_to(activity, A.CONSULTATION)
    listed = bearer(world.ama).get(f"/api/v1/activities/{activity.reference}/actions").json()["actions"]
    upload = next(a for a in listed if a["name"] == "upload_document")
    assert upload["in_api"] is True
    assert upload["endpoint"] == f"/api/v1/activities/{activity.reference}/actions/upload_document/upload"
    assert upload["endpoint"] == reverse("api-v1:activity_upload",
                                         kwargs={"reference": activity.reference, "name": "upload_document"})
    assert all(a["in_api"] for a in listed), [a["name"] for a in listed if not a["in_api"]]
    assert all(a["endpoint"] is None for a in listed if a["name"] != "upload_document")


def test_a_json_post_of_a_write_that_takes_a_file_points_to_its_multipart_route(world, activity, bearer):
    from pacm.events.models import Event

    client = bearer(world.ama)  # its token's event first
    before = Event.objects.count()
    answer = client.post(f"/api/v1/activities/{activity.reference}/actions/upload_document",
                                    {"inputs": {"kind": "pdd"}}, content_type="application/json")
    assert answer.status_code == 400 and answer["Content-Type"] == "application/problem+json"
    body = answer.json()
    assert body["code"] == "multipart_required" and body["field"] == "name"
    assert body["params"] == {"endpoint": f"/api/v1/activities/{activity.reference}/actions/upload_document/upload"}
    assert Event.objects.count() == before


def test_a_write_without_a_file_is_not_taken_on_the_multipart_route(world, activity, bearer):
    from pacm.events.models import Event

    client = bearer(world.ama)  # its token's event first
    before = Event.objects.count()
    answer = client.post(
        f"/api/v1/activities/{activity.reference}/actions/notify_prior_consideration/upload", {"comment": ""})
    assert answer.status_code == 400 and answer.json()["code"] == "no_file_taken"
    assert answer.json()["params"] == {
        "endpoint": f"/api/v1/activities/{activity.reference}/actions/notify_prior_consideration"}
    assert Event.objects.count() == before
