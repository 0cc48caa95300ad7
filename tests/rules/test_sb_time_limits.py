"""Rule 7: where the SB's procedure settles what policy.md left open, the source is followed and the
value kept in the rule set (pacm issue 6 §5): time limits and who may request review.

A6.4-PROC-AC-002 v03.0: completeness check 7 days (paras 75, 185), substantive check 21 (paras 78,
188), review requests within 28 days of publication, for registration (para 85) and for issuance
(para 194; policy.md had 14), appeal 28 days after a registration (para 89) and 14 after an
issuance (para 198), resubmission after "incomplete" within 28 days (paras 77, 80, 187, 190;
policy.md assumed 14). The host Party, through its DNA, and any SB member may request review
(paras 85, 194; pacm had the SB only).
"""
import datetime

import pytest

from methodologies.models import RuleSet
from pacm.common.errors import Refused
from projects import services
from projects.cycle import ActivityState as A
from projects.cycle import PeriodState as P
from projects.models import Activity, MonitoringPeriod

SB_TIMERS = {
    "prior_consideration_days": 180,  # para 15
    "gsc_days": 28,  # para 20
    "completeness_check_days": 7,  # paras 75, 185
    "information_check_days": 21,  # paras 78, 188
    "registration_review_days": 28,  # para 85
    "issuance_review_days": 28,  # para 194
    "registration_appeal_days": 28,  # para 89
    "appeal_days": 14,  # para 198
    "missing_information_days": 28,  # paras 77, 80, 187, 190
}


def test_the_sb_time_limits_are_in_the_new_rule_set(db):
    sb = RuleSet.objects.get(version="2025-08")
    assert {name: getattr(sb, name) for name in SB_TIMERS} == SB_TIMERS
    old = RuleSet.objects.get(version="2021-01")
    assert (old.issuance_review_days, old.missing_information_days) == (14, 14)  # policy.md's, kept as they were


def test_the_issuance_review_window_is_28_days(world, registered, submit, drive):
    """PROC-AC-002 v03.0 para 194: review of an issuance request may be asked within 28 days."""
    period = drive(submit(registered), P.ISSUANCE_REVIEW_WINDOW)
    period = MonitoringPeriod.objects.get(pk=period.pk)
    assert period.due_at - period.state_entered_at == datetime.timedelta(days=28)


def test_a_request_returned_as_incomplete_may_come_back_within_28_days(world, activity, advance_to):
    """PROC-AC-002 v03.0 para 77: a resubmission within 28 days of the notification restarts the check."""
    activity = advance_to(activity, A.COMPLETENESS_CHECK)
    services.activity_return_incomplete(activity=activity, user=world.sam, comment="Annex 3 is missing.")
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.due_at - activity.state_entered_at == datetime.timedelta(days=28)


def test_the_host_dna_may_request_review_of_a_registration_request(world, activity, advance_to):
    """PROC-AC-002 v03.0 para 85: the host Party, through its DNA, may request review; another Party's
    DNA (not a participating Party here) may not."""
    activity = advance_to(activity, A.REVIEW_WINDOW)
    with pytest.raises(Refused):
        services.activity_request_review(activity=activity, user=world.nils, comment="Not ours to ask.")
    services.activity_request_review(activity=activity, user=world.dina, comment="The baseline is not ours.")
    activity = Activity.objects.get(pk=activity.pk)
    assert activity.state == A.UNDER_SB_REVIEW
    event = activity.events.order_by("-sequence").first()
    assert (event.actor, event.role, event.comment) == (world.dina, "dna", "The baseline is not ours.")


def test_the_host_dna_may_request_review_of_an_issuance_request(world, registered, submit, drive):
    """PROC-AC-002 v03.0 para 194: the host Party, through its DNA, may request review of an issuance."""
    period = drive(submit(registered), P.ISSUANCE_REVIEW_WINDOW)
    with pytest.raises(Refused):
        services.period_request_issuance_review(period=period, user=world.nils, comment="Not ours to ask.")
    services.period_request_issuance_review(period=period, user=world.dina, comment="Check the vintages.")
    assert MonitoringPeriod.objects.get(pk=period.pk).state == P.ISSUANCE_UNDER_SB_REVIEW
