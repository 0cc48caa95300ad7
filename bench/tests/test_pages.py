"""`make bench-pages` without a server: the parameters name the world, the plan covers every page
type the issue names, the results file holds p50/p95/p99 per page, and the growth ratios."""
import json

from bench import pages, pages_world

MANIFEST = {
    "long": {"activity": "A64-000042", "account": "PACM-H-000007", "last_period": 100},
    "users": {role: f"user-{role}" for role in (*pages.ROLES, "long_participant", "long_doe")},
}
LOOKUPS = {"block_deep": 900, "issuance_deep": 10, "typical": "A64-000002", "typical_dna": "A64-000003",
           "big_block_deep": 50, "big_statement_deep": 40, "sop": "PACM-SOP", "sop_statement_deep": 30,
           "preview_data": {"issue-units_requested": "5", "preview": "1"}}


def test_parameters_scale_and_key_the_world():
    full, tenth = pages_world.world_parameters(scale=1), pages_world.world_parameters(scale=0.1)
    assert full["activities"] == 5000 and full["issuances"] == 20000 and full["transfers"] == 10000
    assert full["long_periods"] == 100 and full["big_account_blocks"] == 100_000
    assert tenth["activities"] == 500 and tenth["long_periods"] == 10
    assert pages_world.world_parameters(scale=0.001)["long_periods"] == 2  # one issued, one verified
    # Same parameters, same database; any change, another one.
    assert pages_world.world_key(full) == pages_world.world_key(dict(reversed(list(full.items()))))
    assert pages_world.database_name(full) != pages_world.database_name(tenth)
    assert pages_world.database_name(full).startswith("pacm_bench_pages_")
    assert pages_world.world_key({**full, "seed": 65}) != pages_world.world_key(full)


def test_plan_covers_every_page_type_and_role():
    plan = pages.pages_plan(MANIFEST, LOOKUPS)
    assert {p["type"] for p in plan} == set(pages.PAGE_TYPES)
    dashboards = {p["role"] for p in plan if p["type"] == "dashboard"}
    assert dashboards == set(pages.ROLES)
    assert len({p["name"] for p in plan}) == len(plan)
    preview = next(p for p in plan if p["method"] == "POST")
    assert preview["path"] == "/activities/A64-000042/periods/100/issuance/" and preview["data"]["preview"] == "1"
    assert all(p["role"] is None or p["role"] in MANIFEST["users"] for p in plan)


def test_cookies_carry_the_role_session_and_csrf_for_posts():
    sessions = {"af": "key-af"}
    get = {"role": "af", "method": "GET", "data": {}}
    post = {"role": "af", "method": "POST", "data": {"a": "1"}}
    assert pages.cookies_for(get, sessions) == {"sessionid": "key-af"}
    assert pages.cookies_for({**get, "role": None}, sessions) == {}
    assert pages.cookies_for(post, sessions)["csrftoken"] == pages.page_data(post)["csrfmiddlewaretoken"]


def test_results_hold_percentiles_per_page_and_growth(tmp_path):
    plan = pages.pages_plan(MANIFEST, LOOKUPS)[:2]
    alone = {p["name"]: {"queries": 7, "alone_ms": 20.0, "status": 200, "bytes": 1000} for p in plan}
    samples = [[plan[0]["name"], ms, 1200, False] for ms in range(1, 101)] + [[plan[1]["name"], 150, 0, True]]
    rows = pages.page_stats(plan, samples, alone, 60)
    first = rows[plan[0]["name"]]
    assert (first["requests"], first["failures"], first["p50"], first["p95"], first["p99"]) == (100, 0, 50.5, 95.0, 99.0)
    assert first["queries"] == 7 and first["bytes"] == 1200
    assert rows[plan[1]["name"]]["failures"] == 1
    result = {"scale": 1.0, "pages": rows}
    smaller = {"scale": 0.1, "pages": {name: {**row, "alone_ms": 10.0} for name, row in rows.items()}}
    pages.growth_add(result, smaller)
    assert first["growth"] == 2.0 and result["growth_scale"] == 0.1
    assert set(pages.over_budget(result)) == {plan[0]["name"], plan[1]["name"]}  # growth 2 > 1.5; a failure
    path = tmp_path / "pages.json"
    pages.results_write(result, path)
    written = json.loads(path.read_text())["pages"][plan[0]["name"]]
    assert {"p50", "p95", "p99"} <= set(written)
    assert pages.results_path(1.0).name == "pages.json" and pages.results_path(0.1).name == "pages-scale0.1.json"
