"""docs/ is part of the product: the diagrams in it are the ones the code declares."""
from pathlib import Path

from projects.cycle import ACTIVITY_TRANSITIONS, PERIOD_TRANSITIONS, ActivityState, PeriodState, mermaid

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_architecture_diagrams_match_the_declared_cycle():
    text = (DOCS / "architecture.md").read_text()
    assert mermaid(ACTIVITY_TRANSITIONS, ActivityState, ActivityState.DRAFT) in text
    assert mermaid(PERIOD_TRANSITIONS, PeriodState, PeriodState.SUBMITTED) in text


def test_every_test_named_in_rules_coverage_exists():
    import re

    text = (DOCS / "rules-coverage.md").read_text()
    root = DOCS.parent
    missing = []
    for path, name in re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", text):
        source = root / path
        if not source.exists() or f"def {name}(" not in source.read_text():
            missing.append(f"{path}::{name}")
    for path in set(re.findall(r"`(tests/[\w/]+\.py)`", text)):
        if not (root / path).exists():
            missing.append(path)
    assert missing == []
