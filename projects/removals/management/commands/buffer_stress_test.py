"""Run the buffer pool's stress test and record it (A6.4-STAN-METH-002 v01.0 paras 60-61).

    python manage.py buffer_stress_test --user sam [--largest 3] [--region asia_pacific]
        [--region-share-bp 10000] [--band-low-bp 2000] [--band-high-bp 3000] [--band-share-bp 5000]
        [--mark 1234]

`--mark` re-runs at an earlier ledger mark (the last LedgerTransaction id read): the same inputs
at the same mark give the same figures. The user is a secretariat officer or an SB member.
"""
import json

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from pacm.common.errors import ServiceError
from projects.removals.stress import stress_test_run


class Command(BaseCommand):
    help = "Run the Reversal Risk Buffer Pool Account's stress test and record it (STAN-METH-002 paras 60-61)."

    def add_arguments(self, parser):
        parser.add_argument("--user", required=True, help="login of the secretariat officer or SB member running it")
        parser.add_argument("--largest", type=int, default=3)
        parser.add_argument("--region", default="")
        parser.add_argument("--region-share-bp", type=int, default=10_000)
        parser.add_argument("--band-low-bp", type=int, default=0)
        parser.add_argument("--band-high-bp", type=int, default=10_000)
        parser.add_argument("--band-share-bp", type=int, default=5_000)
        parser.add_argument("--mark", type=int, default=None, help="ledger mark to re-run at (default: now)")

    def handle(self, *args, **options):
        user = get_user_model().objects.filter(username=options["user"], is_active=True).first()
        if user is None:
            raise CommandError(f"No active user {options['user']!r}.")
        parameters = {"largest": options["largest"], "region": options["region"],
                      "region_share_bp": options["region_share_bp"], "band_low_bp": options["band_low_bp"],
                      "band_high_bp": options["band_high_bp"], "band_share_bp": options["band_share_bp"]}
        try:
            test = stress_test_run(user=user, parameters=parameters, mark=options["mark"])
        except ServiceError as error:  # Refused included
            raise CommandError(f"{error.code}: {error.message}") from None
        self.stdout.write(json.dumps({"stress_test": test.pk, "parameters": test.parameters, **test.results},
                                     indent=2, sort_keys=True))
