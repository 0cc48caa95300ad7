"""No new page answers 500: every URL, GET and POST (empty or garbage), anonymously and for each persona."""

import pytest
from django.urls import reverse
from django.utils import timezone

from projects import services
from projects.cycle import PERIOD_BY_NAME
from projects.cycle import PeriodState as P

from .. import factories as f

PERSONAS = [None, "ama", "kofi", "dora", "otto", "dina", "nils", "sam", "sofia"]
GARBAGE = {
    "issue-units_requested": "lots", "issue-omge_rate": "x", "lines-TOTAL_FORMS": "2", "lines-INITIAL_FORMS": "0",
    "lines-0-account": "'; DROP TABLE", "lines-0-units": "-1", "lines-0-percent": "abc", "preview": "1",
    "claims-TOTAL_FORMS": "999999", "claims-INITIAL_FORMS": "0", "start": "2021-02-30", "end": "yesterday",
    "certify-verified_2020": "1e9", "transfer-to_account": "", "transfer-quantity": "1.5", "transfer-activity": "x",
    "use-use": "retirement", "use-party": "999", "use-quantity": "-3", "open-organisation": "abc",
    "observed-occurred_from": "2021-02-30", "w-determine_reversal-authorized": "-1", "w-replenish_buffer-quantity": "x", "upload-kind": "pdd", "finding-kind": "car", "finding-text": "",
}


@pytest.fixture
def scene(world, removals, submit, drive):
    """Period 1 issued (a removals activity), a reversal reported, period 2 under verification with a finding."""
    first = drive(submit(removals), P.ISSUED)
    from projects.reversals import services as rev

    today = timezone.localdate()
    reversal = rev.observed_event_notify(activity=removals, user=world.ama, description="Fire", location="Plot",
                                         occurred_from=today, aware_on=today)
    second = drive(submit(removals, number=2, claims={first.end.year + 1: 1_000}), P.UNDER_VERIFICATION)
    services.finding_raise(activity=removals, user=world.dora, kind="cl", text="Which meter?", period=second)
    return removals, first, second, reversal


def urls(scene, world):
    activity, first, second, reversal = scene
    ref = activity.reference
    out = [reverse("registry-units"), reverse("registry-accounts"), reverse("registry-account-open"),
           reverse("period-submit", kwargs={"reference": ref}),
           reverse("period-submit", kwargs={"reference": "A64-NOPE"}),
           reverse("observed-event-notify", kwargs={"reference": ref})]
    from projects.reversals.cycle import EVENT_ACTIONS, EVENT_BY_NAME

    for number in (reversal.number, 77):
        kw = {"reference": ref, "number": number}
        out.append(reverse("observed-event-detail", kwargs=kw))
        out += [reverse("observed-event-write", kwargs={**kw, "name": name})
                for name in [*EVENT_BY_NAME, *(a.name for a in EVENT_ACTIONS), "x"]]
    out.append(reverse("report-due-write", kwargs={"reference": ref, "number": 1, "name": "request_extension"}))
    for number in (first.number, second.number, 77):
        kw = {"reference": ref, "number": number}
        out += [reverse(view, kwargs=kw) for view in (
            "period-detail", "period-certify", "period-request-issuance", "period-document-upload",
            "period-finding-raise")]
        out += [reverse("period-transition", kwargs={**kw, "name": name}) for name in list(PERIOD_BY_NAME) + ["x"]]
        out += [reverse("period-finding-act", kwargs={**kw, "finding_number": 1, "action": action})
                for action in ("answer", "close", "reopen", "x")]
        out += [reverse("period-fee-record-payment", kwargs={**kw, "fee_id": fid}) for fid in (1, 2, 3, 99999)]
    for number in ("PACM-H-DEV-1", "PACM-H-SAV-1", "PACM-PENDING", "NOPE"):
        out += [reverse(view, kwargs={"number": number}) for view in (
            "registry-account", "registry-transfer", "registry-cancel", "registry-use")]
    return out


@pytest.mark.parametrize("who", PERSONAS)
def test_no_new_url_answers_500(as_user, world, scene, who):
    client = as_user(getattr(world, who) if who else None)
    for url in urls(scene, world):
        for method, data in (("get", None), ("post", {}), ("post", GARBAGE)):
            if method == "post" and data is GARBAGE:
                data = {**GARBAGE, "report": f.pdf("r.pdf")}
            response = getattr(client, method)(url, data) if data is not None else client.get(url)
            assert response.status_code < 500, (who, method, url, response.status_code)
