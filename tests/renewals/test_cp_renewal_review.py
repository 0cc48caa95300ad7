"""The sample assessment and review of an erroneous CP renewal (A6.4-PROC-AC-003 v03.0 paras 302, 305;
section 6.2.5, paras 128-132, mutatis mutandis; docs/rules-coverage.md renewal-17).

Personas: otto (Orbis, the CP's DOE) notifies, sam (secretariat) processes the fee, samples and records
the SB's decision, dina (the CP host's DNA) and sofia (SB member) may request review; nils (another
Party's DNA) and ama (participant) may not."""
import datetime

import pytest

from pacm.common.errors import Refused, ServiceError
from pacm.engine.offers import available_actions
from pacm.events.models import Event
from projects.board.models import Decision
from projects.poa.models import ComponentProject
from projects.renewals import review
from projects.renewals import services as rs
from projects.renewals.cycle import CPRenewalState as C

from .helpers import fresh, last_sequence, renewal_events
from .poa_helpers import at, renewed_cp

pytestmark = pytest.mark.django_db


def test_a_host_dna_requests_review_and_the_sb_reverses_the_renewal(world, time_machine):
    poa, cp, renewal = renewed_cp(world, time_machine)
    old_end = renewal.previous_end
    assert ComponentProject.objects.get(pk=cp.pk).crediting_end == renewal.new_end
    for user in (world.nils, world.ama, world.otto):
        with pytest.raises(Refused):
            review.cp_renewal_request_review(renewal=renewal, user=user, comment="Not eligible.")
    since = last_sequence(poa.stream)
    renewal = review.cp_renewal_request_review(renewal=renewal, user=world.dina,
                                               comment="The CP no longer meets eligibility criterion 3.")
    assert renewal.state == C.UNDER_REVIEW
    # Under review the renewal stays in force (para 132: the SB decides).
    assert ComponentProject.objects.get(pk=cp.pk).crediting_end == renewal.new_end
    with pytest.raises(Refused):  # a single SB member does not decide (RMP 22)
        review.cp_renewal_reverse(renewal=renewal, user=world.sofia, comment="Reversed.")
    decision = rs.renewal_board_decision_record(renewal=renewal, user=world.sam, transition="reverse_renewal",
                                                meeting="SBM020", agenda_item="5.1", comment="Erroneously renewed.")
    assert fresh(renewal).state == C.REVERSED
    assert ComponentProject.objects.get(pk=cp.pk).crediting_end == old_end  # with immediate effect
    # The Board panel's meeting path (renewal-17): board.decided, then the transition fired as the Board.
    assert (decision.subject_kind, decision.meeting, decision.agenda_item, decision.status) == (
        "cp_renewal", "SBM020", "5.1", Decision.Status.ADOPTED)
    assert renewal_events(poa.stream, since) == [
        ("renewal.transitioned", "request_renewal_review"), ("board.decided", None),
        ("renewal.transitioned", "reverse_renewal"),
    ]
    decided, fired = Event.objects.filter(stream=poa.stream, sequence__gt=since).order_by("sequence")[1:]
    assert (decided.actor_label, decided.payload["proposed"], decided.payload["component"],
            decided.payload["renewal"], decided.payload["renewal_kind"]) == ("sam", "reverse_renewal", cp.reference,
                                                                              renewal.number, "cp")
    assert fired.actor_label == f"board:{decision.pk}"


def test_the_secretariats_sample_goes_to_the_sb_which_confirms(world, time_machine):
    poa, cp, renewal = renewed_cp(world, time_machine)
    assert "request_renewal_review" in available_actions(world.sam, renewal).names
    renewal = review.cp_renewal_request_review(renewal=renewal, user=world.sam,
                                               comment="Sample assessment: the validation report lacks the SD tool.")
    rs.renewal_board_decision_record(renewal=renewal, user=world.sam, transition="confirm_renewal",
                                     meeting="SBM020", agenda_item="5.2", comment="The SD tool form is attached.")
    assert fresh(renewal).state == C.RENEWED
    assert ComponentProject.objects.get(pk=cp.pk).crediting_end == renewal.new_end


def test_a_review_more_than_a_year_after_the_renewal_is_refused(world, time_machine):
    poa, cp, renewal = renewed_cp(world, time_machine)
    last = review.review_last_day(renewal)  # RuleSet.cp_inclusion_review_days after the renewal
    assert last == renewal.renewed_at.date() + datetime.timedelta(days=365)
    at(time_machine, last + datetime.timedelta(days=1))
    with pytest.raises(ServiceError) as error:
        review.cp_renewal_request_review(renewal=fresh(renewal), user=world.sofia, comment="Late.")
    assert error.value.code == "cp_renewal_review_late"
    assert fresh(renewal).state == C.RENEWED


def test_only_the_secretariat_records_and_only_a_board_proposal_is_recorded(world, time_machine):
    poa, cp, renewal = renewed_cp(world, time_machine)
    with pytest.raises(Refused):  # nothing to decide while the renewal is not under review
        rs.renewal_board_decision_record(renewal=renewal, user=world.sam, transition="reverse_renewal",
                                         meeting="SBM020", agenda_item="5.1", comment="Erroneous.")
    renewal = review.cp_renewal_request_review(renewal=renewal, user=world.dina, comment="Criterion 3 not met.")
    since = last_sequence(poa.stream)
    for user in (world.sofia, world.dina, world.ama, world.otto):
        with pytest.raises(Refused):
            rs.renewal_board_decision_record(renewal=renewal, user=user, transition="reverse_renewal",
                                             meeting="SBM020", agenda_item="5.1", comment="Erroneous.")
    with pytest.raises(ServiceError) as error:
        rs.renewal_board_decision_record(renewal=renewal, user=world.sam, transition="renew_cp",
                                         meeting="SBM020", agenda_item="5.1", comment="Renew.")
    assert error.value.code == "board_decides"
    with pytest.raises(ServiceError) as error:
        rs.renewal_board_decision_record(renewal=renewal, user=world.sam, transition="confirm_renewal",
                                         meeting="SBM020", agenda_item="", comment="Confirmed.")
    assert error.value.code == "give_agenda_item_under"
    assert fresh(renewal).state == C.UNDER_REVIEW
    assert not Decision.objects.exists() and renewal_events(poa.stream, since) == []
