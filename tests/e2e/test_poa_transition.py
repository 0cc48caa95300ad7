"""A CDM PoA transitioned through the pages in real Chromium (A6.4-PROC-AC-001 v06.0 paras 19-24,
46-52; docs/rules-coverage.md transition-2, transition-4): the participant revises the CPA list, the
host's DNA approves with its maximum, the secretariat circulates the SB's electronic decision on the
Board panel and an SB member casts the vote that adopts it. Steps that are not this test's subject
(the consultation's timer, the checks, the other members' votes) run through the services.

The renewal of the transitioned CP's crediting period (the CME engaging its DOE first, renewal-20) and
the PoA's first issuance under the renewed period, through the pages: tests/e2e/test_poa_transition_renewal.py,
from the same transition builders (tests/renewals/transitioned_poa.py). Not covered in the browser: the
renewal of the PoA period itself (services there; the renewal pages serve it as a project's renewal,
tests/renewals/test_web.py).
"""
import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from pacm.parties.models import Membership
from projects.board.models import Decision, Vote
from projects.board.services import board_vote_cast
from projects.poa.models import Programme
from projects.transition import services as ts
from projects.transition.cycle import TransitionState as S
from tests import factories as f
from tests.transition.helpers import HOST_APPROVES_AT, create, drive, fresh, jump

from .pages import expect_success, reveal, submit

SD = dict(sd_confirmation="Fosters SD.", ndc_relation="Within the NDC.")


def _members(world):
    sb = world.orgs["sb"]
    members = [world.sofia] + [f.user(f"member{i:02d}", sb) for i in range(2, 13)]
    assert Membership.objects.filter(organisation=sb, alternate_for__isnull=True).count() >= 12
    return members


def test_a_cdm_poa_is_transitioned_through_the_pages(page, login, world, time_machine):
    members = _members(world)
    cpas = [("10415-0001", world.host, 12_000), ("10415-0003", world.other, 7_000)]
    request = create(world, time_machine, cdm_reference="10415", kind="poa", cpas=cpas, title="Clean cooking PoA",
                     cdm_crediting_end=datetime.date(2034, 5, 31))
    request = drive(world, time_machine, request, S.AWAITING_HOST)
    time_machine.move_to(HOST_APPROVES_AT, tick=False)
    url = f"/transitions/{request.pk}/"

    # Paras 19-20: the participant adds a CPA by a revised request.
    login(world.ama)
    page.goto(url)
    form = page.locator("#actions form[action$='/do/add_cpa/']")
    form.locator("[name='t-cpa_reference']").fill("10415-0004")
    form.locator("[name='t-host_party']").select_option(str(world.host.pk))
    form.locator("[name='t-estimated_annual']").fill("5000")
    submit(page, form.get_by_role("button"))
    expect_success(page)
    expect(page.get_by_text("10415-0004 · Ghana")).to_be_visible()

    # Paras 21, 24: Ghana's DNA approves for its CPAs, with its maximum (reading transition-9).
    login(world.dina)
    page.goto(url)
    form = page.locator("#actions form[action$='/do/approve_transition/']")
    form.locator("[name='t-sd_confirmation']").fill("Fosters SD.")
    form.locator("[name='t-ndc_relation']").fill("Within the NDC.")
    form.locator("[name='t-max_annual']").fill("50000")
    submit(page, form.get_by_role("button"))
    expect_success(page)
    assert fresh(request).state == S.HOST_APPROVED

    # Kenya does not approve; the documentation, the fee and the checks; an SB member asks for review.
    ts.transition_request_submit_documentation(request=request, user=world.ama, documentation="addendum",
                                               summary="Addendum, AMS-II.G kept.", fnrb="0.8430", leakage_factor="0.95")
    request = drive(world, time_machine, request, S.REVIEW_WINDOW)
    ts.transition_request_request_review(request=request, user=world.sofia, comment="fNRB")

    # Paras 46-49 (transition-4): the secretariat circulates the electronic decision on the panel.
    login(world.sam)
    page.goto(url)
    panel = page.locator("#board")
    target = reveal(panel, "Open an electronic decision")
    target.locator("[name='board-open-transition']").select_option("approve")
    target.locator("[name='board-open-comment']").fill("The addendum meets the requirements (para 46(a)).")
    submit(page, target.get_by_role("button", name="Circulate the proposal"))
    expect_success(page)
    decision = Decision.objects.get(subject_kind="transition", subject_id=request.pk)
    for member in members[1:]:
        board_vote_cast(decision=decision, user=member, choice=Vote.Choice.YES)

    # The last member votes in the browser: every member has voted, the decision is taken.
    login(world.sofia)
    page.goto(url)
    panel = page.locator("#board")
    panel.locator("[name='board-vote-choice']").select_option("yes")
    submit(page, panel.get_by_role("button", name="Cast your vote"))
    expect_success(page)
    decision = Decision.objects.get(pk=decision.pk)
    assert (decision.status, decision.yes) == (Decision.Status.ADOPTED, 12)
    assert fresh(request).state == S.APPROVED

    # Para 50: effective on the CDM deregistration; the appeal window closes: a registered PoA.
    ts.transition_request_record_cdm_deregistration(request=fresh(request), user=world.sam, date=timezone.localdate())
    request = jump(time_machine, request)
    assert request.state == S.TRANSITIONED
    poa = Programme.objects.get(pk=request.activity_id)
    page.goto(f"/poas/{poa.reference}/")
    expect(page.get_by_text(poa.title).first).to_be_visible()
    # Para 24: the CPs of Ghana (the approving host) only.
    cps = sorted(poa.components.values_list("reference", "host__party__iso2"))
    assert [iso2 for _ref, iso2 in cps] == ["GH", "GH"]
    for reference, _iso2 in cps:
        expect(page.get_by_text(reference).first).to_be_visible()
    assert not poa.poa_hosts.filter(party=world.other).exists()


pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
