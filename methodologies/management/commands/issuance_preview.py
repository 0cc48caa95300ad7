"""Show how an issuance of N units would be split under a rule set (rules.md §4.5; policy.md §1).

    python manage.py issuance_preview --units 1000003 [--omge-rate 0.035] [--sop-exempt]
        [--risk-rating 12.5 (or low|medium|high with --rule-set 2021-01)] [--rule-set 2021-01] [--json]
"""
import datetime
import json

from django.core.management.base import BaseCommand, CommandError

from methodologies.arithmetic import issuance_split
from methodologies.models import RuleSet
from pacm.common.errors import ServiceError


def _units(raw):
    text = str(raw).strip().replace(",", "").replace("_", "")
    if not text.lstrip("-").isdigit():
        raise CommandError(f"--units must be a whole number of units, not {raw!r}.")
    return int(text)


def _rule_set(version):
    if version:
        rule_set = RuleSet.objects.filter(version=version).first()
        if rule_set is None:
            raise CommandError(f"Unknown rule set {version!r}.")
        return rule_set
    try:
        return RuleSet.objects.in_force(datetime.date.today())
    except RuleSet.DoesNotExist as exc:
        raise CommandError(str(exc)) from None


def _percent(rate):
    return "exempt" if rate is None else f"{(rate * 100).normalize():f}%"


class Command(BaseCommand):
    help = "Preview the share of proceeds, OMGE, buffer and net of an issuance of N units."

    def add_arguments(self, parser):
        parser.add_argument("--units", required=True, help="gross units to issue (a whole number, at least 1)")
        parser.add_argument("--omge-rate", default=None, help="OMGE rate elected, e.g. 0.035 (default: the minimum)")
        parser.add_argument("--sop-exempt", action="store_true", help="host is an LDC/SIDS that did not opt out")
        parser.add_argument("--risk-rating", default=None, help="reversal risk rating: a percentage (e.g. 12.5; A6.4-STAN-METH-002 para 55), or low, medium or high under rule set 2021-01")
        parser.add_argument("--rule-set", default=None, help="rule set version (default: the one in force today)")
        parser.add_argument("--json", action="store_true", help="print one JSON object")

    def handle(self, *args, **options):
        units = _units(options["units"])
        rule_set = _rule_set(options["rule_set"])
        try:
            split = issuance_split(
                gross=units, rule_set=rule_set, omge_rate=options["omge_rate"], sop_exempt=options["sop_exempt"],
                risk_rating=options["risk_rating"],
            )
        except ServiceError as exc:
            raise CommandError(exc.message) from None
        if options["json"]:
            self.stdout.write(json.dumps({
                "gross": split.gross, "share_of_proceeds": split.share_of_proceeds, "omge": split.omge,
                "buffer": split.buffer, "net": split.net, "rule_set": split.rule_set,
            }))
            return
        rows = [
            ("Gross issued", split.gross, ""),
            ("Share of proceeds (Adaptation Fund)", split.share_of_proceeds, _percent(split.sop_rate)),
            ("OMGE cancellation", split.omge, _percent(split.omge_rate)),
            ("Buffer", split.buffer, "none" if split.buffer_rate is None else _percent(split.buffer_rate)),
            ("Net to participants", split.net, ""),
        ]
        width = max(len(f"{n:,}") for _, n, _ in rows)
        self.stdout.write(
            f"Issuance preview under rule set {rule_set.version} (in force from {rule_set.effective_from})"
        )
        for label, number, rate in rows:
            self.stdout.write(f"  {label:<37} {number:>{width},}  {rate}".rstrip())
        self.stdout.write(split.rounding_note())
