"""`manage.py issuance_preview` (rules.md §4.5; policy.md §1): the split, human or JSON, and
clear one-line failures with a non-zero exit code."""
import datetime
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from methodologies.models import RuleSet

ROOT = Path(__file__).resolve().parents[2]


def run(*args):
    out = io.StringIO()
    call_command("issuance_preview", *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_human_table_shows_the_split_and_the_rounding():
    text = run("--units", "1000003")
    lines = text.splitlines()
    assert lines[0].startswith("Issuance preview under rule set 2025-08")
    rows = {line.split("  ")[1].strip(): line for line in lines[1:6]}
    assert "1,000,003" in rows["Gross issued"]
    assert "50,000" in rows["Share of proceeds (Adaptation Fund)"]
    assert "20,001" in rows["OMGE cancellation"]
    assert rows["Buffer"].split()[1] == "0"
    assert "930,002" in rows["Net to participants"]
    assert lines[-1] == "SOP rounded down, OMGE rounded up, per rule set 2025-08"


@pytest.mark.django_db
def test_json_is_exactly_one_object_with_integer_fields():
    # A6.4-STAN-METH-002 para 55: a 20 % rating under rule set 2025-08 (the categories are superseded).
    data = json.loads(run("--units", "1000", "--omge-rate", "0.035", "--risk-rating", "20", "--json"))
    assert data == {"gross": 1000, "share_of_proceeds": 50, "omge": 35, "buffer": 200, "net": 715,
                    "rule_set": "2025-08"}
    assert all(type(data[k]) is int for k in ("gross", "share_of_proceeds", "omge", "buffer", "net"))


@pytest.mark.django_db
def test_sop_exempt_flag():
    data = json.loads(run("--units", "100", "--sop-exempt", "--json"))
    assert (data["share_of_proceeds"], data["omge"], data["net"]) == (0, 2, 98)


@pytest.mark.django_db
def test_rule_set_in_force_today_or_the_one_named():
    today = datetime.date.today()
    RuleSet.objects.create(version="2099-01", effective_from=today + datetime.timedelta(days=365),
                           sop_rate=Decimal("0.10"))
    RuleSet.objects.create(version="now-01", effective_from=today - datetime.timedelta(days=1),
                           omge_min_rate=Decimal("0.03"))
    assert json.loads(run("--units", "100", "--json"))["rule_set"] == "now-01"
    assert json.loads(run("--units", "100", "--json"))["omge"] == 3
    future = json.loads(run("--units", "100", "--rule-set", "2099-01", "--json"))
    assert (future["rule_set"], future["share_of_proceeds"], future["omge"]) == ("2099-01", 10, 2)
    assert "per rule set 2021-01" in run("--units", "100", "--rule-set", "2021-01")


@pytest.mark.django_db
@pytest.mark.parametrize(
    "args, message",
    [
        (["--units", "0"], "at least 1"),
        (["--units", "-3"], "at least 1"),
        (["--units", "1.5"], "whole number"),
        (["--units", "ten"], "whole number"),
        (["--units", "100", "--omge-rate", "0.01"], "below the minimum"),
        (["--units", "100", "--omge-rate", "1.5"], "above 1"),
        (["--units", "100", "--risk-rating", "extreme", "--rule-set", "2021-01"], "Unknown risk rating"),
        (["--units", "100", "--risk-rating", "very_high", "--rule-set", "2021-01"], "not eligible"),
        (["--units", "100", "--risk-rating", "low"], "superseded rule set"),
        (["--units", "100", "--risk-rating", "101"], "from 0 to 100"),
        (["--units", "100", "--rule-set", "1999-01"], "Unknown rule set"),
    ],
)
def test_invalid_input_raises_command_error(args, message):
    with pytest.raises(CommandError, match=message) as info:
        run(*args)
    assert "\n" not in str(info.value)


@pytest.mark.django_db
def test_no_rule_set_in_force():
    RuleSet.objects.all().delete()
    with pytest.raises(CommandError, match="No rule set is in force"):
        run("--units", "100")


# --- the real command line: exit codes --------------------------------------------------------

@pytest.fixture(scope="module")
def cli_env(tmp_path_factory):
    """A migrated SQLite file of its own, so the subprocess never touches the developers' database."""
    db = tmp_path_factory.mktemp("cli") / "cli.sqlite3"
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "pacm.settings"}
    subprocess.run([sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"], cwd=ROOT, env=env, check=True)
    return env


def cli(env, *args):
    return subprocess.run([sys.executable, "manage.py", "issuance_preview", *args], cwd=ROOT, env=env,
                          capture_output=True, text=True)


def test_cli_success_exits_zero_with_one_json_object(cli_env):
    result = cli(cli_env, "--units", "1000003", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout) == {"gross": 1000003, "share_of_proceeds": 50000, "omge": 20001, "buffer": 0,
                                         "net": 930002, "rule_set": "2025-08"}


@pytest.mark.parametrize(
    "args, message",
    [
        (["--units", "0"], "at least 1"),
        (["--units", "abc"], "whole number"),
        (["--units", "100", "--omge-rate", "0.01"], "below the minimum"),
        (["--units", "100", "--risk-rating", "extreme", "--rule-set", "2021-01"], "Unknown risk rating"),
        (["--units", "100", "--rule-set", "nope"], "Unknown rule set"),
    ],
)
def test_cli_invalid_input_exits_non_zero_with_one_line(cli_env, args, message):
    result = cli(cli_env, *args)
    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0]
