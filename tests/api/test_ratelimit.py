"""Rate limits per token (PACM_API_RATE_PER_MINUTE, counted in the cache): 429 with Retry-After."""
import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


def test_a_token_over_its_limit_gets_a_429_problem_with_retry_after(world, bearer, settings, time_machine):
    settings.PACM_API_RATE_PER_MINUTE = 3
    time_machine.move_to("2026-12-01 14:00:10Z", tick=False)
    ama, kofi = bearer(world.ama), bearer(world.kofi)
    assert [ama.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    over = ama.get("/api/v1/me")
    assert over.status_code == 429 and over["Content-Type"] == "application/problem+json"
    assert over.json()["code"] == "rate_limited" and over["Retry-After"] == "51"
    assert kofi.get("/api/v1/me").status_code == 200  # another token counts apart
    anonymous = Client()
    assert [anonymous.get("/api/v1/registry/totals").status_code for _ in range(4)] == [200, 200, 200, 429]
    time_machine.move_to("2026-12-01 14:01:00Z", tick=False)  # the next minute
    assert ama.get("/api/v1/me").status_code == 200
