"""The catalogs against the code (pacm issue 9): a message people read that is not marked, not in
the catalogs, or not translated fails here.

(a) the catalogs are up to date: `make messages` run in a copy of the project extracts exactly the
    msgids the committed locale/<lang>/LC_MESSAGES/django.po hold;
(b) every message of the languages in COMPLETE_LANGUAGES is translated (every plural form), none fuzzy;
(c) GNU msgfmt --check-format accepts every catalog (placeholders kept, plural forms well formed);
(d) no template shows English outside {% translate %} / {% blocktranslate %} (tests/i18n/scan.py),
    and no service error, 404 or message is a bare string (tests/i18n/pyscan.py).
"""
import os
import shutil
import subprocess
from pathlib import Path

import polib
import pytest

from tests.catalogs import BASE_DIR, LOCALES, po_path

from . import pyscan, scan

# The languages whose catalogs must be complete. The lead fills in the translations and keeps here
# the ones done: with all three listed, a message added without its translations fails (b).
COMPLETE_LANGUAGES = ["zh_Hans", "fr", "es"]

needs_gettext = pytest.mark.skipif(
    not (shutil.which("msgfmt") and shutil.which("xgettext") and shutil.which("make")) and not os.environ.get("CI"),
    reason="GNU gettext is not installed (`make gettext`)",
)


def _keys(po):
    return {(e.msgctxt, e.msgid, e.msgid_plural or None) for e in po if not e.obsolete}


def _shown(keys, limit=25):
    lines = [f"  {k[1]!r}" + (f" (context {k[0]!r})" if k[0] else "") for k in sorted(keys, key=str)[:limit]]
    return "\n".join(lines) + (f"\n  ... and {len(keys) - limit} more" if len(keys) > limit else "")


@pytest.fixture(scope="module")
def extracted(tmp_path_factory):
    """`make messages` in a copy of the project's sources (the copy's catalogs start empty)."""
    root = tmp_path_factory.mktemp("messages")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "*.mo", "*.po")
    for name in ("pacm", "projects", "methodologies", "templates"):
        shutil.copytree(BASE_DIR / name, root / name, ignore=ignore)
    for name in ("manage.py", "Makefile", "requirements.txt"):
        shutil.copy2(BASE_DIR / name, root / name)
    (root / "static").mkdir()
    (root / "locale").mkdir()
    (root / ".venv").symlink_to((BASE_DIR / ".venv").resolve())
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DATABASE_URL", "PACM_TEST_DB"))}
    # -o: the virtualenv is the project's, installed already.
    result = subprocess.run(["make", "-s", "-o", ".venv/.requirements.stamp", "messages"], cwd=root, env=env,
                            capture_output=True, text=True, timeout=900)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]
    return {locale: polib.pofile(str(po_path(locale, root / "locale"))) for locale in LOCALES}


@needs_gettext
@pytest.mark.parametrize("locale", LOCALES)
def test_a_the_catalog_holds_every_marked_message_and_no_other(extracted, locale):
    wanted, committed = _keys(extracted[locale]), _keys(polib.pofile(str(po_path(locale))))
    assert len(wanted) > 2000  # the extraction ran over the whole project
    missing, stale = wanted - committed, committed - wanted
    assert not missing, (f"{len(missing)} marked message(s) missing from locale/{locale}: run `make messages` "
                         f"and translate them:\n{_shown(missing)}")
    assert not stale, f"{len(stale)} message(s) of locale/{locale} no longer in the code: `make messages`:\n{_shown(stale)}"


@pytest.mark.parametrize("locale", COMPLETE_LANGUAGES)
def test_b_every_message_is_translated_and_none_is_fuzzy(locale):
    po = polib.pofile(str(po_path(locale)))
    entries = [e for e in po if not e.obsolete]
    untranslated = {(e.msgctxt, e.msgid, None) for e in entries
                    if not (e.msgstr_plural and all(v.strip() for v in e.msgstr_plural.values()))
                    and not (not e.msgid_plural and e.msgstr.strip())}
    fuzzy = {(e.msgctxt, e.msgid, None) for e in entries if "fuzzy" in e.flags}
    assert not untranslated, f"{len(untranslated)} of {len(entries)} messages untranslated in {locale}:\n{_shown(untranslated)}"
    assert not fuzzy, f"{len(fuzzy)} fuzzy messages in {locale}:\n{_shown(fuzzy)}"


@needs_gettext
@pytest.mark.parametrize("locale", LOCALES)
def test_c_msgfmt_checks_the_formats(locale, tmp_path):
    result = subprocess.run(["msgfmt", "--check-format", "--check-header", "-o", str(tmp_path / "django.mo"),
                             str(po_path(locale))], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-3000:]


def test_c_every_catalog_names_its_language_and_plural_forms():
    for locale in LOCALES:
        po = polib.pofile(str(po_path(locale)))
        assert po.metadata["Language"] == locale and "nplurals=" in po.metadata["Plural-Forms"], locale


def test_d_no_template_shows_unmarked_english():
    found = {str(p.relative_to(scan.TEMPLATES_DIR)): words for p in scan.templates()
             if (words := scan.unmarked(p.read_text()))}
    assert not found, "English outside {% translate %}: " + "; ".join(f"{k}: {v[:8]}" for k, v in found.items())


def test_d_the_template_scanner_finds_text_attributes_and_tag_literals():
    source = ('{% load i18n %}<p title="Open the file">Hello {{ name }}, {% translate "welcome" %}'
              '{% blocktranslate %}all of {{ this }} is marked{% endblocktranslate %}</p>'
              '<img alt="{% translate "QR code" %}"><input placeholder="Search here">'
              '{% comment %}Notes for developers{% endcomment %}<script src="x.js"></script>'
              '{% include "x.html" with title="Executed split" id="a-code" %}{{ x|default:"none yet" }}'
              '{% include "x.html" with title=_("Marked") %} A6.4-AMM-001 PDF UTC &middot; 12,500')
    assert scan.unmarked(source) == [
        ("tag literal", "Executed"), ("tag literal", "split"), ("tag literal", "none"), ("tag literal", "yet"),
        ("p[title]", "Open"), ("p[title]", "the"), ("p[title]", "file"), ("text", "Hello"),
        ("input[placeholder]", "Search"), ("input[placeholder]", "here")]


def test_d_no_error_page_or_message_is_a_bare_string():
    found = [f"{path.relative_to(BASE_DIR)}:{line} {what}" for path in pyscan.modules()
             for line, what in pyscan.unmarked(path.read_text(), str(path))]
    assert not found, "Unmarked messages (write _(\"...\") % params):\n" + "\n".join(found)


def test_d_the_python_scanner_finds_bare_messages():
    source = '''
raise ServiceError("No such account.", code="x")
raise Refused(f"Only {who} may.", code="y")
raise Http404(_("Marked."))
raise ServiceError(_("Marked %(x)s.") % {"x": 1})
messages.success(request, "Saved.")
messages.info(request, _("Marked."))
raise ServiceError(" ".join(errors))
'''
    assert pyscan.unmarked(source) == [(2, "ServiceError"), (3, "Refused"), (6, "messages.success")]


def test_the_catalogs_are_compiled_for_the_tests():
    """tests/conftest.py compiles a missing or stale .mo (they are not committed): pages are translated."""
    for locale in LOCALES:
        po, mo = po_path(locale), po_path(locale).with_suffix(".mo")
        assert mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime, locale
    assert "*.mo" in (BASE_DIR / ".gitignore").read_text().split()


def test_compile_stale_compiles_only_what_is_missing_or_older(tmp_path):
    from tests.catalogs import compile_stale

    for locale in LOCALES:
        po = po_path(locale, tmp_path)
        po.parent.mkdir(parents=True)
        polib_file = polib.POFile()
        polib_file.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": locale}
        polib_file.append(polib.POEntry(msgid="Dashboard", msgstr=f"[{locale}] Dashboard"))
        polib_file.save(str(po))
    assert compile_stale(tmp_path) == list(LOCALES)
    assert compile_stale(tmp_path) == []
    mo = polib.mofile(str(po_path("fr", tmp_path).with_suffix(".mo")))
    assert [(e.msgid, e.msgstr) for e in mo] == [("Dashboard", "[fr] Dashboard")]
    Path(po_path("fr", tmp_path).with_suffix(".mo")).unlink()
    assert compile_stale(tmp_path) == ["fr"]
