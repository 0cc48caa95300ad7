"""The load of `make bench-pages` (bench/pages.py starts it: locust --headless -f bench/locustfile.py).

Each simulated user opens one page of the plan after the other, chosen at random (every page type
as often as the others), thinking 1-3 s between two. The plan (PACM_BENCH_PLAN, a JSON file
bench/pages.py writes) gives each page its path, its method and the session cookie of the role
that opens it. Each answer's time and size is kept and written to PACM_BENCH_SAMPLES when locust
quits; an answer other than 200 without a redirect counts as a failure.
"""
import json
import os
import random

from locust import HttpUser, between, events, task

with open(os.environ["PACM_BENCH_PLAN"]) as handle:
    PLAN = json.load(handle)
SAMPLES = []


@events.request.add_listener
def _record(name, response_time, response_length, exception, **kwargs):
    SAMPLES.append([name, response_time, response_length, exception is not None])


@events.quitting.add_listener
def _write(environment, **kwargs):
    with open(os.environ["PACM_BENCH_SAMPLES"], "w") as handle:
        json.dump(SAMPLES, handle)


class Visitor(HttpUser):
    wait_time = between(PLAN.get("think_min", 1), PLAN.get("think_max", 3))

    @task
    def page(self):
        entry = random.choice(PLAN["pages"])
        # Each request carries only its own role's cookies, never what an earlier page set.
        self.client.cookies.clear()
        options = {"cookies": entry["cookies"], "name": entry["name"], "allow_redirects": False,
                   "catch_response": True}
        if entry["method"] == "POST":
            call = self.client.post(entry["path"], data=entry["data"], headers={"Referer": self.host + entry["path"]},
                                    **options)
        else:
            call = self.client.get(entry["path"], **options)
        with call as response:
            if response.status_code != 200:
                response.failure(f"status {response.status_code}")
