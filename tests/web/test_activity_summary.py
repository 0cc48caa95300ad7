"""pacm issue 9 ("People"): a long activity page opens with a summary (state in words, who the
next step waits for, the due date and what the timer does then) and links to its sections."""
import re

from django.utils import dateformat

from pacm.parties.models import Organisation
from projects.cycle import ActivityState as A

from .conftest import page_url


def summary_text(html):
    block = re.search(r'<section class="card mb-4" id="summary".*?</section>', html, re.S).group(0)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", block)).strip(), block


def test_the_summary_names_the_state_the_waiting_role_and_the_due_date(client, world, activity, advance_to):
    activity = advance_to(activity, A.REVIEW_WINDOW)
    client.force_login(world.ama)
    text, block = summary_text(client.get(page_url(activity)).content.decode())
    assert "State: Review window" in text
    # PROC-AC-002 v03.0 para 85: within the review window the host's DNA or an SB member may
    # request a review; nobody else acts, and the timer approves at the due date (para 88).
    waiting = text.split("Waiting for:")[1].split("Due date")[0]
    assert f"{Organisation.Kind.DNA.label} (Request review)" in waiting
    assert f"{Organisation.Kind.SB.label} (Request review)" in waiting
    assert str(Organisation.Kind.SECRETARIAT.label) not in waiting
    assert f"Due date: {dateformat.format(activity.due_at, 'j M Y')}" in text
    assert "(then, if nothing else happens: Approve (review window closed))" in text
    for anchor in ("#monitoring", "#fees", "#documents", "#findings", "#timeline"):
        assert f'href="{anchor}"' in block


def test_the_summary_says_when_the_secretariat_holds_the_next_step(client, world, activity, advance_to):
    activity = advance_to(activity, A.COMPLETENESS_CHECK)
    client.force_login(world.sam)
    text, block = summary_text(client.get(page_url(activity)).content.decode())
    assert "State: Completeness check" in text
    assert f"Waiting for: {Organisation.Kind.SECRETARIAT.label} (" in text
    assert 'href="#actions"' in block  # sam has buttons here: the summary links to them


def test_a_registered_activity_waits_on_its_participants_for_monitoring(client, world, activity, advance_to):
    activity = advance_to(activity, A.REGISTERED)
    text, _ = summary_text(client.get(page_url(activity)).content.decode())
    assert "State: Registered" in text and "Due date" not in text
