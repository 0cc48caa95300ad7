"""Recompute the registry's maintained totals and the accounts' balances from the blocks and the
ledger (pacm issue 8).

    manage.py reconcile_totals          report every difference; exit status 1 if there is one
    manage.py reconcile_totals --fix    and replace the maintained rows with the recomputed ones
"""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pacm.registry.services.totals import (
    balances_differences,
    balances_rebuild,
    totals_differences,
    totals_rebuild,
)


class Command(BaseCommand):
    help = "Compare the maintained registry totals and balances with the ledger; with --fix, rebuild them."

    def add_arguments(self, parser):
        parser.add_argument("--fix", action="store_true", help="Replace the maintained rows with the recomputed ones.")

    def handle(self, *args, fix=False, **options):
        with transaction.atomic():
            differences = totals_differences()
            for (kind, status, vintage, shard), stored, computed in differences:
                self.stdout.write(
                    f"{kind} {status} {vintage} shard {shard}: stored units {stored[0]} issued {stored[1]} "
                    f"first transferred {stored[2]}; ledger units {computed[0]} issued {computed[1]} "
                    f"first transferred {computed[2]}"
                )
            balances = balances_differences()
            for (account_id, shard), stored, computed in balances:
                self.stdout.write(f"account {account_id} shard {shard}: stored balance {stored}; blocks hold {computed}")
            differences += balances
            if not differences:
                self.stdout.write("The maintained totals and balances match the ledger.")
                return
            if fix:
                totals_rebuild()
                balances_rebuild()
                self.stdout.write(f"Fixed {len(differences)} row(s) from the ledger.")
                return
        raise CommandError(f"{len(differences)} total(s) differ from the ledger; run with --fix to rebuild them.")
