"""The transition's dated deadlines, read from the rule set in force (methodologies.RuleSet).

PROC-AC-001 v06.0 paras 12, 13 and 21 set deadlines at "24:00 (Central European Time)" of a day:
the moment a deadline passes is the start of the next day in Central European time.
"""
import datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from methodologies.models import RuleSet

# PROC-AC-001 v06.0 paras 12, 13, 21: "24:00 (Central European Time)".
DEADLINE_ZONE = ZoneInfo("CET")


def deadline_end(day):
    """The moment the deadline `day` 24:00 CET passes."""
    return datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time(0, 0), tzinfo=DEADLINE_ZONE)


def rules(on_date=None):
    return RuleSet.objects.in_force(on_date or timezone.localdate())


def request_deadline(rule_set, is_afforestation):
    """PROC-AC-001 v06.0 para 12 (31 Dec 2023), para 13 for A/R (31 Dec 2025): rule-set dates."""
    return rule_set.transition_request_deadline_ar if is_afforestation else rule_set.transition_request_deadline


def host_approval_deadline(rule_set):
    """Para 21, extended by CMA7 (docs/rules-coverage.md transition-1): a rule-set date."""
    return rule_set.transition_host_approval_deadline


def revised_pdd_deadline(rule_set, host_approved_at):
    """Para 32: within the rule set's days of the publication of the host approval."""
    return timezone.localdate(host_approved_at) + datetime.timedelta(days=rule_set.transition_revised_pdd_days)


def summary_note_due(rule_set, published_at):
    """Para 39: the summary note within the rule set's days of the documentation's publication."""
    return timezone.localdate(published_at) + datetime.timedelta(days=rule_set.transition_summary_note_days)
