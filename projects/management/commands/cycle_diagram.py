from django.core.management.base import BaseCommand

from projects.cycle import (
    ACTIVITY_TRANSITIONS,
    PERIOD_TRANSITIONS,
    ActivityState,
    PeriodState,
    mermaid,
)


class Command(BaseCommand):
    help = "Print the state diagrams (Mermaid) generated from projects/cycle.py."

    def add_arguments(self, parser):
        parser.add_argument("machine", nargs="?", choices=["activity", "period", "poa", "component"], default="activity")

    def handle(self, *args, machine, **options):
        if machine in ("poa", "component"):
            from projects.poa.cycle import CP_TRANSITIONS, POA_TRANSITIONS, CPState

            table, initial = (POA_TRANSITIONS, ActivityState.DRAFT) if machine == "poa" else (CP_TRANSITIONS, CPState.NOTIFIED)
            self.stdout.write(mermaid(table, None, initial))
        elif machine == "activity":
            self.stdout.write(mermaid(ACTIVITY_TRANSITIONS, ActivityState, ActivityState.DRAFT))
        else:
            self.stdout.write(mermaid(PERIOD_TRANSITIONS, PeriodState, PeriodState.SUBMITTED))
