from django.core.management.base import BaseCommand, CommandError

from pacm.events.models import Event
from pacm.events.services import chain_verify


class Command(BaseCommand):
    help = "Verify the hash chain of one event stream (--stream activity:12) or of all of them."

    def add_arguments(self, parser):
        parser.add_argument("--stream", help="one stream, e.g. activity:12; all streams when omitted")

    def handle(self, *args, stream=None, **options):
        streams = [stream] if stream else Event.objects.values_list("stream", flat=True).distinct().order_by("stream")
        problems, count = [], 0
        for name in streams:
            count += 1
            problems.extend(chain_verify(name))
        if problems:
            raise CommandError("Event chain broken:\n" + "\n".join(problems))
        self.stdout.write(f"OK: {count} stream(s) verified, no tampering found.")
