from django.core.management.base import BaseCommand

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
        self.stdout.write(f"{len(fired)} timer(s) fired." if fired else "Nothing due.")
