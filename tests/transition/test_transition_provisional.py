"""Provisional issuance requests made under the CDM for 2021 onwards (A6.4-PROC-AC-001 v06.0
para 55): recorded on the request, their finalisation requested only after the transition, for an
activity that kept its CDM methodology, with the declaration on avoidance of double issuance."""
import datetime

import pytest
from django.urls import reverse

from pacm.common.errors import Refused, ServiceError
from pacm.events.models import Event
from projects.transition import services as ts
from projects.transition.cycle import TransitionState as S
from projects.transition.models import ProvisionalIssuance

from .helpers import create, drive

pytestmark = pytest.mark.django_db


def _record(request, user, **kw):
    data = dict(cdm_request_reference="10077-MR7", period_start=datetime.date(2021, 1, 1),
                period_end=datetime.date(2021, 12, 31), quantity=38_000)
    data.update(kw)
    return ts.transition_request_record_provisional(request=request, user=user, **data)


def test_a_provisional_request_is_finalised_only_after_the_transition(world, time_machine):
    request = create(world, time_machine)
    with pytest.raises(ServiceError) as error:
        _record(request, world.ama, period_start=datetime.date(2020, 12, 31))
    assert error.value.code == "provisional_before_2021"
    for user in (world.kofi, world.dina, world.sam, world.sofia):
        with pytest.raises(Refused):
            _record(request, user)
    row = _record(request, world.ama)
    finalise = lambda user, **kw: ts.transition_request_provisional_finalisation(  # noqa: E731
        request=request, user=user, provisional=row, **{"double_issuance_declared": True,
                                                         "revised_monitoring_report": "GWPs of 2021", **kw})
    with pytest.raises(Refused):  # not transitioned yet
        finalise(world.ama)
    request = drive(world, time_machine, request, S.TRANSITIONED)
    with pytest.raises(ServiceError) as error:
        finalise(world.ama, double_issuance_declared=False)
    assert error.value.code == "double_issuance_declaration"
    for user in (world.kofi, world.dina, world.sam):
        with pytest.raises(Refused):
            finalise(user)
    row = finalise(world.ama, other_scheme_confirmation="Not registered elsewhere.")
    assert row.status == ProvisionalIssuance.Status.FINALISATION_REQUESTED and row.double_issuance_declared
    with pytest.raises(Refused):  # once
        finalise(world.ama)
    kinds = list(Event.objects.filter(stream=request.stream).values_list("kind", flat=True))
    assert kinds.count("transition.provisional_recorded") == 1
    assert kinds[-1] == "transition.finalisation_requested"


def test_only_an_activity_that_kept_its_cdm_methodology(world, time_machine):
    request = create(world, time_machine)
    row = _record(request, world.ama)
    request = drive(world, time_machine, request, S.HOST_APPROVED)
    ts.transition_request_submit_documentation(request=request, user=world.ama, documentation="revised_pdd",
                                               summary="Revised PDD", validation_doe=world.orgs["doe"])
    request = drive(world, time_machine, request, S.TRANSITIONED)
    with pytest.raises(ServiceError) as error:
        ts.transition_request_provisional_finalisation(request=request, user=world.ama, provisional=row,
                                                       double_issuance_declared=True, revised_monitoring_report="x")
    assert error.value.code == "cdm_methodology_not_kept"


def test_the_finalisation_form_on_the_page(client, world, time_machine):
    request = create(world, time_machine)
    row = _record(request, world.ama)
    request = drive(world, time_machine, request, S.TRANSITIONED)
    client.force_login(world.ama)
    page = client.get(reverse("transition-detail", kwargs={"pk": request.pk})).content.decode()
    assert "Request the finalisation of a provisional issuance" in page
    url = reverse("transition-act", kwargs={"pk": request.pk, "name": "request_provisional_finalisation"})
    response = client.post(url, {"t-item": row.pk, "t-revised_monitoring_report": "GWPs"})
    assert response.status_code == 200 and "declaration on avoidance of double issuance" in response.content.decode()
    response = client.post(url, {"t-item": row.pk, "t-revised_monitoring_report": "GWPs",
                                 "t-double_issuance_declared": "on"})
    assert response.status_code == 302
    assert ProvisionalIssuance.objects.get().status == "finalisation_requested"
