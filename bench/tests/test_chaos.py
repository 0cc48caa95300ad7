"""make chaos's own logic, without restarting anything: the dry run's schedule, how an answer is
read, how each request is matched with the ledger. Run: .venv/bin/pytest -q bench/tests"""
import pytest

from bench import chaos


def test_the_dry_run_restarts_only_its_own_worker_and_the_full_run_each_service_once():
    assert [what for _, what in chaos.schedule(True, 45)] == ["worker", "worker"]
    full = chaos.schedule(False, 45)
    assert sorted(what for _, what in full) == ["postgresql", "redis", "worker", "worker"]
    assert all(0 < at < 45 for at, _ in full)


def test_it_drops_no_database_but_its_own(monkeypatch):
    monkeypatch.setattr(chaos, "DB_URL", "postgres://postgres@127.0.0.1:5432/pacm")
    with pytest.raises(SystemExit, match="only drops pacm_chaos"):
        chaos.database_recreate()


@pytest.mark.parametrize("answer, result", [
    ((302, "/registry/accounts/PACM-H-1/#statement", ""), ("applied", "")),
    ((200, "", '<div class="invalid-feedback d-block">PACM-H-1 holds 3 units; 9 cannot be moved.</div>'),
     ("refused", "PACM-H-1 holds 3 units; 9 cannot be moved.")),
    ((403, "", '<p class="alert alert-warning mt-3 mb-3">You may not transfer units.</p>'),
     ("refused", "You may not transfer units.")),
    ((503, "", "<h1>The registry is briefly unavailable</h1>"), ("unavailable", "503: the registry is briefly unavailable")),
    ((500, "", "Server Error"), ("error", "HTTP 500")),
    ((302, "/accounts/login/", ""), ("error", "HTTP 302")),
    ((None, "ConnectionRefusedError: [Errno 111]", ""), ("no answer", "ConnectionRefusedError: [Errno 111]")),
])
def test_an_answer_is_read_as_a_person_reads_it(answer, result):
    assert chaos.outcome(answer, "/registry/accounts/PACM-H-1/") == result


def test_each_request_is_matched_with_the_ledger(db, settings, tmp_path, django_user_model):
    from pacm.registry.models import Account
    from pacm.registry.services import units_transfer

    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    world = chaos.world_prepare(issuances=2, senders=1)
    sender = world["clients"][0]
    user = django_user_model.objects.get(username=sender["username"])
    source = Account.objects.get(number=sender["account"])
    for quantity in (7, 11, 11):
        units_transfer(user=user, from_account=source, to_account=world["receivers"][0], quantity=quantity)

    def record(marker, outcome):
        return {"kind": "transfer", "marker": marker, "outcome": outcome, "detail": "", "sent": 1.0}

    table, problems = chaos.requests_match([record(7, "applied"), record(8, "refused"), record(9, "applied"),
                                            record(11, "no answer")])
    assert table == {("transfer", "applied", "applied"): 1, ("transfer", "refused", "not applied"): 1,
                     ("transfer", "applied", "not applied"): 1, ("transfer", "no answer", "applied"): 1}
    assert len(problems) == 2, problems
    assert "#9" in problems[0] and "the page said done, the ledger has 0" in problems[0]
    assert "#11" in problems[1] and "applied 2 times" in problems[1]
