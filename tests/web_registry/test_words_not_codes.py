"""pacm issue 9 ("People"): states read as words on every page type; no machine code such as
`under_validation` (a state) or `pass_completeness_check` (a step) shows in a page's text, and the
timeline's payload keys read as labels."""
import html
import re

import pytest
from django.urls import reverse

from pacm.engine.machines import machines
from projects.cycle import PeriodState as P

_HIDDEN = re.compile(r"<(script|style|template)\b.*?</\1>|<!--.*?-->", re.S)
_TAG = re.compile(r"<[^>]+>")


def visible_text(response):
    """The page's text as a person reads it: no tags, no attribute values, no script."""
    return html.unescape(_TAG.sub(" ", _HIDDEN.sub(" ", response.content.decode())))


def machine_codes():
    """Every state and write code of the registered machines that could not be a word of prose."""
    codes = set()
    for machine in machines():
        codes.update(value for value, _ in machine.states.choices)
        codes.update(machine.writes)
    return {code for code in codes if "_" in code}


def codes_in(text, codes):
    words = set(re.findall(r"\b[a-z][a-z0-9]*(?:_[a-z0-9]+)+\b", text))
    return sorted(words & codes)


@pytest.fixture
def pages(world, registered, submit, drive):
    """Period 1 issued, period 2 verified; the URLs of each page type with the persona who reads it."""
    activity = registered
    drive(submit(activity), P.ISSUED)
    drive(submit(activity, number=2), P.VERIFIED)
    detail = reverse("activity-detail", kwargs={"reference": activity.reference})
    periods = [reverse("period-detail", kwargs={"reference": activity.reference, "number": n}) for n in (1, 2)]
    public = ["/", "/registry/", "/registry/blocks/", "/registry/issuances/", "/registry/uses/", "/registry/totals/",
              detail, *periods]
    working = {
        world.ama: ["/dashboard/", detail, *periods, "/registry/accounts/", "/registry/accounts/PACM-H-DEV-1/",
                    "/notifications/", "/account/"],
        world.dora: ["/dashboard/", detail, *periods],
        world.dina: ["/dashboard/", detail, *periods],
        world.sam: ["/dashboard/", detail, *periods, "/buffer/stress-tests/"],
        world.sofia: ["/dashboard/", detail, *periods],
    }
    return public, working


def test_no_page_shows_a_state_or_step_code(client, world, pages):
    codes = machine_codes()
    assert {"under_validation", "issuance_review_window", "pass_completeness_check"} <= codes
    public, working = pages
    found = {}
    for url in public:
        response = client.get(url)
        assert response.status_code == 200, url
        found.update({f"public {url}": c for c in [codes_in(visible_text(response), codes)] if c})
    for user, urls in working.items():
        client.force_login(user)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 200, (user, url)
            found.update({f"{user} {url}": c for c in [codes_in(visible_text(response), codes)] if c})
    assert found == {}
