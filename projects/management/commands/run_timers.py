import datetime

from django.core.management.base import BaseCommand, CommandError

from pacm.common.errors import ServiceError
from pacm.demo.services import MAX_DAYS, demo_clock_advance
from pacm.parties.roles import Actor
from projects.board.services import board_decisions_close_due
from projects.timers import timers_run


class Command(BaseCommand):
    help = (
        "Run one timer pass: fire every timed transition whose due date has passed (policy.md §3). "
        "Celery beat does this every minute when a worker runs; this command does it from cron or a shell. "
        "In a demo database only (seed_demo), --advance DAYS first moves the demo clock forward."
    )

    def add_arguments(self, parser):
        parser.add_argument("--advance", type=int, metavar="DAYS",
                            help=f"Demo only: move the demo clock forward DAYS days (1-{MAX_DAYS}) before the pass.")

    def handle(self, *args, **options):
        if options.get("advance") is not None:
            try:
                row = demo_clock_advance(actor=Actor.timer("demo_clock"),
                                         by=datetime.timedelta(days=options["advance"]))
            except ServiceError as error:  # Refused too: outside demo mode nothing moves
                raise CommandError(error.message) from None
            self.stdout.write(f"demo clock now {row.offset.days} day(s) ahead.")
        fired = timers_run()
        for reference, transition in fired:
            self.stdout.write(f"fired {transition} on {reference}")
        # projects.board: electronic decisions whose window has closed are decided (RoP rule 67).
        for decision_id, status in board_decisions_close_due():
            fired.append((f"board decision {decision_id}", status))
            self.stdout.write(f"closed board decision {decision_id}: {status}")
        self.stdout.write(f"{len(fired)} timer(s) fired." if fired else "Nothing due.")
