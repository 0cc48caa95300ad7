"""python manage.py certificates_generate: generate every document still missing (idempotent)."""
from django.core.management.base import BaseCommand

from ...sweep import certificates_sweep


class Command(BaseCommand):
    help = "Generate the PDF documents (certificates, statements, letters) that are still missing."

    def handle(self, *args, **options):
        total = 0
        while True:
            done = certificates_sweep()
            total += len(done)
            if not done:
                break
        self.stdout.write(f"{total} document(s) generated.")
