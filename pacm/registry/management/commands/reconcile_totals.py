"""Recompute the registry's maintained totals, the accounts' balances and their holding groups from the
blocks and the ledger (pacm issue 8).

    manage.py reconcile_totals          report every difference; exit status 1 if there is one
    manage.py reconcile_totals --fix    and replace the maintained rows with the recomputed ones
"""
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from pacm.registry.services.totals import (
    balances_differences,
    balances_rebuild,
    holdings_differences,
    holdings_rebuild,
    totals_differences,
    totals_rebuild,
)


class Command(BaseCommand):
    help = "Compare the maintained registry totals, balances and holdings with the ledger; with --fix, rebuild them."

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
            holdings = holdings_differences()
            for (account_id, activity_id, vintage, status, first, negligible, component), stored, computed in holdings:
                self.stdout.write(
                    f"account {account_id} activity {activity_id} vintage {vintage} {status}"
                    f"{' first transferred' if first else ''}{' negligible risk' if negligible else ''}"
                    f"{f' CP {component}' if component else ''}: stored holding {stored}; blocks hold {computed}"
                )
            differences += holdings
            if not differences:
                self.stdout.write("The maintained totals, balances and holdings match the ledger.")
                return
            if fix:
                totals_rebuild()
                balances_rebuild()
                holdings_rebuild()
                self.stdout.write(f"Fixed {len(differences)} row(s) from the ledger.")
                return
        raise CommandError(f"{len(differences)} total(s) differ from the ledger; run with --fix to rebuild them.")
