"""The sample assessment and review of an erroneous CP renewal (A6.4-PROC-AC-003 v03.0 paras 302, 305;
section 6.2.5, paras 128-132, mutatis mutandis; docs/rules-coverage.md renewal-17).

The secretariat's sample assessment (para 302) or a host DNA's or SB member's request (para 128) puts a
renewed CP's renewal under review, within `RuleSet.cp_inclusion_review_days` (one year) of the renewal;
the SB confirms the renewal or reverses it with immediate effect (para 132): the CP's crediting period
ends again where the reversed renewal had extended it. The SB decides on the Board panel (projects.board,
kind `cp_renewal`): recorded by the secretariat from its meeting or taken electronically, the transition
fired as the Board.
"""
from .cycle import CPRenewalState as C
from .guards import cp_renewal_is_latest, cp_renewal_review_in_time, review_last_day
from .machine import CP_RENEWAL_MACHINE


def _fire(name, renewal, user, *, comment="", expected_state=None, after=None):
    from pacm.engine.run import write_run

    return write_run(machine=CP_RENEWAL_MACHINE, pk=renewal.pk, name=name, user=user, comment=comment,
                     expected_state=expected_state, after=after)


@CP_RENEWAL_MACHINE.serves("request_renewal_review")
def cp_renewal_request_review(*, renewal, user=None, actor=None, comment="", expected_state=None):
    """Paras 302 (sample), 128 (a host's DNA, an SB member): the renewal goes to the SB."""
    return _fire("request_renewal_review", renewal, actor or user, comment=comment, expected_state=expected_state)


@CP_RENEWAL_MACHINE.serves("confirm_renewal")
def cp_renewal_confirm(*, renewal, user=None, actor=None, comment="", expected_state=None):
    """Para 132(a): the SB confirms the renewal."""
    return _fire("confirm_renewal", renewal, actor or user, comment=comment, expected_state=expected_state)


@CP_RENEWAL_MACHINE.serves("reverse_renewal")
def cp_renewal_reverse(*, renewal, user=None, actor=None, comment="", expected_state=None):
    """Para 132(b) mutatis mutandis: reversed with immediate effect: the CP's period ends where it ended."""
    from ..poa.models import ComponentProject

    def after(obj, _actor):
        cp = ComponentProject.objects.select_for_update().get(pk=obj.component_id)  # after its PoA, the owner
        cp.crediting_end = obj.previous_end
        cp.save(update_fields=["crediting_end"])
        return {"crediting_end": cp.crediting_end.isoformat()}

    return _fire("reverse_renewal", renewal, actor or user, comment=comment, expected_state=expected_state,
                 after=after)


__all__ = ["C", "cp_renewal_confirm", "cp_renewal_is_latest", "cp_renewal_request_review", "cp_renewal_reverse",
           "cp_renewal_review_in_time", "review_last_day"]
