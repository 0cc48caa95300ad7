from django.core.management.base import BaseCommand

from projects.board.services import board_decisions_close_due
from projects.timers import timers_run


class Command(BaseCommand):
    help = (
        "Run one timer pass: fire every timed transition whose due date has passed (policy.md §3). "
        "Celery beat does this every minute when a worker runs; this command does it from cron or a shell."
    )

    def handle(self, *args, **options):
        fired = timers_run()
        for reference, transition in fired:
            self.stdout.write(f"fired {transition} on {reference}")
        # projects.board: electronic decisions whose window has closed are decided (RoP rule 67).
        for decision_id, status in board_decisions_close_due():
            fired.append((f"board decision {decision_id}", status))
            self.stdout.write(f"closed board decision {decision_id}: {status}")
        self.stdout.write(f"{len(fired)} timer(s) fired." if fired else "Nothing due.")
