"""docs/ is part of the product: the diagrams in it are the ones the code declares."""
from pathlib import Path

from projects.cycle import ACTIVITY_TRANSITIONS, PERIOD_TRANSITIONS, ActivityState, PeriodState, mermaid

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_architecture_diagrams_match_the_declared_cycle():
    text = (DOCS / "architecture.md").read_text()
    assert mermaid(ACTIVITY_TRANSITIONS, ActivityState, ActivityState.DRAFT) in text
    assert mermaid(PERIOD_TRANSITIONS, PeriodState, PeriodState.SUBMITTED) in text
