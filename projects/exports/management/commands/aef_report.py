"""python manage.py aef_report GH 2025 [--format xlsx|zip] [--output FILE]: a Party's AEF report
(decision 4/CMA.6 annex II) for one year, written to a file (the same tables as the DNA's page)."""
from django.core.management.base import BaseCommand, CommandError

from pacm.common import bounds
from pacm.parties.models import Party

from ...aef import aef_basename, aef_sheets
from ...writer import csv_zip_write, xlsx_write


class Command(BaseCommand):
    help = "Write a Party's Agreed Electronic Format report for a year (XLSX, or a zip of CSV files)."

    def add_arguments(self, parser):
        parser.add_argument("party", help="The Party's ISO 3166 alpha-2 code")
        parser.add_argument("year", type=int, help="The reported year (1 January to 31 December, UTC)")
        parser.add_argument("--format", choices=("xlsx", "zip"), default="xlsx")
        parser.add_argument("--output", help="The file to write (default: aef-<party>-<year>.<format>)")

    def handle(self, *args, party, year, format, output, **options):
        found = Party.objects.filter(iso2=(party or "").upper()).first()
        if found is None:
            raise CommandError(f"No Party has the code {party!r}.")
        if not bounds.YEAR_MIN <= year <= bounds.YEAR_MAX:
            raise CommandError(bounds.YEAR_MESSAGE)
        path = output or f"{aef_basename(found, year)}.{format}"
        with open(path, "wb") as target:
            (csv_zip_write if format == "zip" else xlsx_write)(aef_sheets(party=found, year=year), target)
        self.stdout.write(f"Wrote {path}")
