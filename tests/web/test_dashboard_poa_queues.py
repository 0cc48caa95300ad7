"""The dashboard lists the PoAs, CPs, transition requests and renewal requests that wait for the
person (issue 7): each role sees what its declared writes wait for (pacm.engine.offers.waiting_q),
a page at a time in the order of the indexes (due date, then id), in a fixed number of queries."""
import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from projects.consultation import services as gsc
from projects.cycle import ActivityState as A
from projects.poa import services as poa_services
from projects.poa.cycle import CPState as C
from tests.poa.conftest import host, notify_cp, poa_data, reach_cp, reach_poa
from tests.renewals.helpers import registered_renewable, request
from tests.transition.helpers import create, drive

pytestmark = pytest.mark.django_db


def dashboard(client, **query):
    response = client.get(reverse("dashboard"), query)
    assert response.status_code == 200
    return response.content.decode()


def card(body, anchor):
    """The dashboard's card `anchor` (its own list), or "" when it is not shown."""
    start = body.find(f'id="{anchor}"')
    return "" if start < 0 else body[start:body.find("</table>", start)]


def poa_queue(client, **query):
    return card(dashboard(client, **query), "poa-queue")


def queries(client):
    with CaptureQueriesContext(connection) as captured:
        dashboard(client)
    return len(captured)


def new_poa(world, **overrides):
    return poa_services.poa_create(**poa_data(world, **overrides))


def test_the_cme_and_the_doe_see_the_poa_whose_comments_wait_for_them(as_user, world,
                                                                       django_capture_on_commit_callbacks):
    """PROC-AC-003 v03.0 para 29, STAN-AC-005 para 42: a published comment waits for the CME's answer,
    then for the validating DOE's assessment; the DNAs and the secretariat are not asked."""
    poa = reach_poa(world, new_poa(world), A.CONSULTATION)
    with django_capture_on_commit_callbacks(execute=True):
        gsc.comment_submit(subject=poa, author_name="Abena Mensah", email="abena@example.org", text="Baseline?",
                           ip="198.51.100.9")
    from django.core import mail

    from tests.consultation.conftest import LINK

    comment = gsc.comment_confirm(token=LINK.search(mail.outbox[-1].body).group(1))
    assert poa.reference in poa_queue(as_user(world.ama))
    for person in (world.dora, world.sam):  # (the DNAs: their host approval waits, paras 23-26)
        assert poa.reference not in poa_queue(as_user(person))
    gsc.comment_answer(comment=comment, user=world.ama, text="The baseline survey is in annex 3.")
    assert poa.reference in poa_queue(as_user(world.dora))
    assert poa.reference not in poa_queue(as_user(world.ama))


def test_each_host_dna_sees_the_poa_until_it_has_approved(as_user, world):
    """Paras 25(d), 26: each host's DNA approves for its own part; the queue follows its host row."""
    poa = reach_poa(world, new_poa(world), A.UNDER_VALIDATION)
    assert poa.reference in poa_queue(as_user(world.dina)) and poa.reference in poa_queue(as_user(world.nils))
    poa_services.poa_host_approve(poa=poa, user=world.dina, host=host(poa, "GH"), max_annual=50_000,
                                  sd_confirmation="Fosters SD.", ndc_relation="Within the NDC.")
    assert poa.reference not in poa_queue(as_user(world.dina))
    assert poa.reference in poa_queue(as_user(world.nils))


def test_the_secretariat_sees_the_cp_uploaded_for_inclusion_and_the_doe_the_cp_to_validate(as_user, world):
    poa = reach_poa(world, new_poa(world), A.REGISTERED)
    cp = notify_cp(world, poa)
    assert cp.reference in poa_queue(as_user(world.otto))  # the CP's DOE starts the validation
    assert cp.reference not in poa_queue(as_user(world.sam))
    cp = reach_cp(world, cp, C.UPLOADED)
    assert cp.reference in poa_queue(as_user(world.sam))  # the inclusion fee and the inclusion (para 124)
    assert cp.reference not in poa_queue(as_user(world.otto))


def test_the_transition_request_waits_for_the_secretariat_then_the_host(as_user, world, time_machine):
    request_obj = create(world, time_machine)
    assert f"CDM {request_obj.cdm_reference}" in card(dashboard(as_user(world.sam)), "transition-requests")
    request_obj = drive(world, time_machine, request_obj, "awaiting_host")
    assert request_obj.reference in card(dashboard(as_user(world.dina)), "transition-requests")
    assert request_obj.reference not in card(dashboard(as_user(world.sam)), "transition-requests")


def test_the_renewal_waits_for_its_validating_doe(as_user, world, advance_to, time_machine):
    activity = registered_renewable(world, advance_to)
    time_machine.move_to(datetime.datetime.combine(activity.crediting_end - datetime.timedelta(days=100),
                                                   datetime.time(9), tzinfo=datetime.UTC), tick=False)
    renewal = request(world, activity)
    body = card(dashboard(as_user(world.otto)), "renewal-queue")
    assert f"{activity.reference} renewal 1" in body and reverse("renewal-detail", kwargs={"pk": renewal.pk}) in body
    assert f"{activity.reference} renewal 1" not in dashboard(as_user(world.kofi))


def test_the_poa_queue_is_paged_in_due_date_order_in_a_fixed_number_of_queries(as_user, world):
    """Drafted PoAs wait for their CME (prior consideration, the DOE's engagement): 25 a page, in the
    order (due date, id) the indexes serve; one PoA or 26 cost the page the same queries."""
    client = as_user(world.ama)
    first = new_poa(world, title="PoA 00")
    few = queries(client)
    more = [new_poa(world, title=f"PoA {i:02d}") for i in range(1, 26)]
    assert queries(client) == few
    body = poa_queue(client)
    assert first.reference in body and more[23].reference in body and more[24].reference not in body
    assert more[24].reference in poa_queue(client, poas=2)
    assert body.index(first.reference) < body.index(more[0].reference)
