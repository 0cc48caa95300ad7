"""docs/architecture.md carries the PoA's and the CP's diagrams as the code declares them."""
from pathlib import Path

from projects.cycle import ActivityState, mermaid
from projects.poa.cycle import CP_TRANSITIONS, POA_TRANSITIONS, CPState

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_poa_and_cp_diagrams_match_the_declared_cycles():
    text = (DOCS / "architecture.md").read_text()
    assert mermaid(POA_TRANSITIONS, None, ActivityState.DRAFT) in text
    assert mermaid(CP_TRANSITIONS, None, CPState.NOTIFIED) in text
