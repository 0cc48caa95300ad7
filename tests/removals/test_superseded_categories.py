"""The policy.md §2 categories are data of a superseded rule set (pacm issue 10): a "very high"
category holds issuance back only under a rule set whose buffer basis is the categories; under one
that follows A6.4-STAN-METH-002 (percentage ratings, paras 38, 42, 55) it means nothing."""
from types import SimpleNamespace

from django.utils import timezone

from methodologies.models import RuleSet
from projects.guards import no_unsettled_avoidable_reversal
from projects.models import Activity


def test_very_high_blocks_only_under_the_categories_rule_set(world, removals):
    Activity.objects.filter(pk=removals.pk).update(risk_rating="very_high")
    subject = SimpleNamespace(activity=Activity.objects.get(pk=removals.pk))
    rule_set = RuleSet.objects.in_force(timezone.localdate())
    assert rule_set.buffer_basis == "percentage"
    assert no_unsettled_avoidable_reversal(subject) is None
    RuleSet.objects.filter(pk=rule_set.pk).update(buffer_basis="categories")
    blocked = no_unsettled_avoidable_reversal(subject)
    assert (blocked.code, blocked.params) == ("risk_too_high", {"version": rule_set.version})
    assert "superseded categories of policy.md §2" in blocked.message
