"""Issue 11 item 2: deployment is safe by default (pacm/settings.py, `make check-deploy`)."""
import json
import os
import re
import secrets
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

ROOT = Path(__file__).resolve().parents[2]
# What a shell may carry that would change the settings under test.
_OURS = re.compile(r"^(DJANGO_|PACM_|DATABASE_URL$|CELERY_)")
SHOWN = ["DEBUG", "SECRET_KEY", "ALLOWED_HOSTS", "CSRF_TRUSTED_ORIGINS", "SECURE_SSL_REDIRECT", "SECURE_HSTS_SECONDS",
         "SECURE_HSTS_INCLUDE_SUBDOMAINS", "SECURE_HSTS_PRELOAD", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE"]


def clean_env(**values):
    """The environment of a fresh process outside the tests: none of pacm's variables, then `values`."""
    env = {k: v for k, v in os.environ.items() if not _OURS.match(k)}
    env.update(values)
    return env


def settings_in_subprocess(**values):
    """Import pacm/settings.py afresh in a new Python (not pytest): (returncode, settings or stderr)."""
    code = (
        "import json, pacm.settings as s; "
        f"print(json.dumps({{k: getattr(s, k) for k in {SHOWN!r}}}, default=str))"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean_env(**values),
                          capture_output=True, text=True, timeout=120)
    return done.returncode, (json.loads(done.stdout) if done.returncode == 0 else done.stderr)


def real_key():
    return secrets.token_urlsafe(50)


@pytest.mark.parametrize("key, why", [
    (None, "DJANGO_SECRET_KEY is not set"),
    ("", "DJANGO_SECRET_KEY is not set"),
    ("pacm-dev-only-insecure-key-change-me", "the development key written in pacm/settings.py"),
    ("short-key", "too weak"),
    ("django-insecure-" + "x" * 60, "too weak"),
    ("a" * 60, "too weak"),
])
def test_outside_debug_and_tests_the_settings_refuse_a_missing_or_repository_key(key, why):
    code, err = settings_in_subprocess(**({} if key is None else {"DJANGO_SECRET_KEY": key}))
    assert code != 0
    assert "ImproperlyConfigured" in err and why in err and "DJANGO_DEBUG=true" in err


def test_with_a_real_key_production_settings_are_https_only_by_default():
    key = real_key()
    code, s = settings_in_subprocess(DJANGO_SECRET_KEY=key)
    assert code == 0, s
    assert s["DEBUG"] is False and s["SECRET_KEY"] == key
    assert s["ALLOWED_HOSTS"] == []  # nothing is served until the hosts are named
    assert (s["SECURE_SSL_REDIRECT"], s["SESSION_COOKIE_SECURE"], s["CSRF_COOKIE_SECURE"]) == (True, True, True)
    assert (s["SECURE_HSTS_SECONDS"], s["SECURE_HSTS_INCLUDE_SUBDOMAINS"], s["SECURE_HSTS_PRELOAD"]) == (
        31536000, True, True)


def test_debug_starts_without_a_key_on_the_development_defaults():
    """`make run` (DJANGO_DEBUG=true) needs nothing set."""
    code, s = settings_in_subprocess(DJANGO_DEBUG="true")
    assert code == 0, s
    assert s["DEBUG"] is True and s["SECRET_KEY"] == "pacm-dev-only-insecure-key-change-me"
    assert s["SECURE_SSL_REDIRECT"] is False and s["SESSION_COOKIE_SECURE"] is False
    assert "127.0.0.1" in s["ALLOWED_HOSTS"]


def test_the_tests_processes_start_without_a_key():
    """A process the tests start (a manage.py command, a Celery worker) inherits PACM_TESTING=1."""
    assert os.environ.get("PACM_TESTING") == "1"
    code, s = settings_in_subprocess(PACM_TESTING="1")
    assert code == 0, s


def test_hsts_cookies_redirect_origins_and_hosts_are_read_from_the_environment():
    code, s = settings_in_subprocess(
        DJANGO_SECRET_KEY=real_key(), DJANGO_ALLOWED_HOSTS="pacm.example.org, www.pacm.example.org",
        DJANGO_CSRF_TRUSTED_ORIGINS="https://pacm.example.org,https://www.pacm.example.org",
        DJANGO_SECURE_HSTS_SECONDS="600", DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS="false",
        DJANGO_SECURE_HSTS_PRELOAD="false", DJANGO_SECURE_SSL_REDIRECT="false",
        DJANGO_SESSION_COOKIE_SECURE="false", DJANGO_CSRF_COOKIE_SECURE="false",
    )
    assert code == 0, s
    assert s["ALLOWED_HOSTS"] == ["pacm.example.org", "www.pacm.example.org"]
    assert s["CSRF_TRUSTED_ORIGINS"] == ["https://pacm.example.org", "https://www.pacm.example.org"]
    assert (s["SECURE_HSTS_SECONDS"], s["SECURE_HSTS_INCLUDE_SUBDOMAINS"], s["SECURE_HSTS_PRELOAD"]) == (
        600, False, False)
    assert (s["SECURE_SSL_REDIRECT"], s["SESSION_COOKIE_SECURE"], s["CSRF_COOKIE_SECURE"]) == (False, False, False)


def test_a_malformed_number_is_a_clear_error():
    code, err = settings_in_subprocess(DJANGO_SECRET_KEY=real_key(), DJANGO_SECURE_HSTS_SECONDS="a year")
    assert code != 0 and "DJANGO_SECURE_HSTS_SECONDS must be a whole number" in err


def readme_production_env():
    """The `export NAME=value` lines of the README's production example (section "Deployment")."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Deployment", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(# Production.*?)```", section, re.S).group(1)
    env = {name: quoted or bare for name, quoted, bare in re.findall(r"^export (\w+)=(?:'([^']*)'|(\S*))", block, re.M)}
    assert {"DJANGO_SECRET_KEY", "DJANGO_ALLOWED_HOSTS", "DJANGO_CSRF_TRUSTED_ORIGINS"} <= set(env)
    assert "DJANGO_DEBUG" not in env  # production is the default
    env["DJANGO_SECRET_KEY"] = real_key()  # the README shows how to make one, not one to copy
    return env


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_check_deploy_passes_with_no_warning_under_the_documented_production_env():
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(
        # -o: the requirements are installed already (this very interpreter runs them).
        ["make", "-s", "--no-print-directory", "-o", ".venv/.requirements.stamp", "check-deploy", f"BIN={bin_dir}"],
        cwd=ROOT, env=clean_env(**readme_production_env()), capture_output=True, text=True, timeout=300,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output
    assert "WARNING" not in output and "security.W" not in output


@pytest.mark.skipif(shutil.which("make") is None, reason="needs make")
def test_make_check_deploy_fails_on_a_deployment_warning():
    """The target really fails on warnings: without HSTS it reports W004 and exits non-zero."""
    bin_dir = Path(sys.executable).parent
    done = subprocess.run(
        ["make", "-s", "--no-print-directory", "-o", ".venv/.requirements.stamp", "check-deploy", f"BIN={bin_dir}"],
        cwd=ROOT, env=clean_env(**readme_production_env(), DJANGO_SECURE_HSTS_SECONDS="0"),
        capture_output=True, text=True, timeout=300,
    )
    assert done.returncode != 0 and "security.W004" in done.stdout + done.stderr


# --- Response headers -----------------------------------------------------------------------


def test_every_page_carries_a_content_security_policy_without_unsafe_inline(client, world, published):
    for url in (reverse("registry-public"), reverse("login"), reverse("activity-detail", args=[published.reference]),
                reverse("admin:login")):
        policy = client.get(url)["Content-Security-Policy"]
        directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
        assert directives["default-src"] == "'self'"
        assert directives["script-src"] == "'self'" and directives["style-src"] == "'self'"
        assert directives["object-src"] == "'none'" and directives["frame-ancestors"] == "'none'"
        assert "unsafe-inline" not in policy and "unsafe-eval" not in policy


def test_https_requests_get_hsts_and_http_is_redirected(client, settings, world):
    settings.SECURE_HSTS_SECONDS, settings.SECURE_HSTS_INCLUDE_SUBDOMAINS = 31536000, True
    settings.SECURE_HSTS_PRELOAD, settings.SECURE_SSL_REDIRECT = True, True
    response = client.get(reverse("registry-public"), secure=True)
    assert response.status_code == 200
    assert response["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    plain = client.get(reverse("registry-public"))
    assert plain.status_code == 301 and plain["Location"].startswith("https://")


def test_session_and_csrf_cookies_are_secure_when_set_so(client, settings, world):
    settings.SESSION_COOKIE_SECURE = settings.CSRF_COOKIE_SECURE = True
    page = client.get(reverse("login"), secure=True)
    assert page.cookies[settings.CSRF_COOKIE_NAME]["secure"] is True
    response = client.post(reverse("login"), {"username": "ama", "password": "pacm-test-pw"}, secure=True)
    assert response.status_code == 302
    assert response.cookies[settings.SESSION_COOKIE_NAME]["secure"] is True


def test_every_response_to_a_logged_in_user_is_private_and_not_stored(client, world, published):
    urls = [reverse("registry-public"), reverse("dashboard"), reverse("activity-detail", args=[published.reference]),
            reverse("registry-accounts"), "/no/such/page/"]
    for url in urls:
        assert "no-store" not in client.get(url).get("Cache-Control", ""), url  # the public's pages may be cached
    client.force_login(world.ama)
    for url in urls:
        assert client.get(url)["Cache-Control"] == "private, no-store", url
    version = published.documents.get(kind="pdd").versions.get()
    download = client.get(reverse("document-download", args=[published.reference, version.pk]))
    assert download.status_code == 200 and download["Cache-Control"] == "private, no-store"


def test_admin_pages_are_private_and_not_stored(admin_client):
    assert admin_client.get(reverse("admin:index"))["Cache-Control"] == "private, no-store"


# --- No inline script or style anywhere (the policy would block it) --------------------------

INLINE = [
    (re.compile(r"<script\b(?![^>]*\bsrc=)[^>]*>", re.I), "inline <script>"),
    (re.compile(r"<style\b", re.I), "<style> element"),
    (re.compile(r"\sstyle\s*=", re.I), "style= attribute"),
    (re.compile(r"\son[a-z]+\s*=", re.I), "on...= event handler"),
    (re.compile(r"javascript:", re.I), "javascript: URL"),
]


def inline_code(text):
    return [what for pattern, what in INLINE if pattern.search(text)]


def test_no_template_or_static_file_has_inline_script_or_style():
    found = {}
    for folder in ("templates", "static"):
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".html", ".js", ".css", ".txt"} and "vendor" not in path.parts:
                problems = inline_code(path.read_text())
                if problems:
                    found[str(path.relative_to(ROOT))] = problems
    assert found == {}


def test_rendered_pages_have_no_inline_code_and_confirm_through_the_static_script(as_user, world, published):
    client = as_user(world.ama)
    html = client.get(reverse("activity-detail", args=[published.reference])).content.decode()
    assert inline_code(html) == []
    assert 'data-confirm="Withdraw the activity: are you sure?"' in html  # a "danger" transition asks first
    assert '<script src="/static/js/pacm.js"></script>' in html
    script = b"".join(client.get("/static/js/pacm.js").streaming_content).decode()
    assert "data-confirm" in script and "window.confirm" in script
    for url in (reverse("registry-public"), reverse("dashboard"), reverse("registry-accounts"), reverse("login")):
        assert inline_code(client.get(url).content.decode()) == [], url
