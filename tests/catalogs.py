"""The translation catalogs for the tests (pacm issue 9): compiled when missing or older than their
.po (the .mo files are not committed: `make compilemessages`, run by `make install` and `make test`,
makes them too), and read with polib.

Compiled once per run, by the controlling process (tests/conftest.py pytest_configure), before any
xdist worker starts, so no two processes write one file.
"""
import shutil
import subprocess
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[1]
LOCALE_DIR = BASE_DIR / "locale"
# The catalogs' folders (Django's locale names of settings.LANGUAGES but English, the source language).
LOCALES = ("zh_Hans", "fr", "es")


def po_path(locale, base=LOCALE_DIR):
    return Path(base) / locale / "LC_MESSAGES" / "django.po"


def compile_stale(base=LOCALE_DIR):
    """Compile every catalog whose .mo is missing or older than its .po; returns the ones compiled."""
    done = []
    for locale in LOCALES:
        po = po_path(locale, base)
        mo = po.with_suffix(".mo")
        if not po.exists() or (mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime):
            continue
        compile_one(po, mo)
        done.append(locale)
    return done


def compile_one(po, mo):
    """GNU msgfmt as Django's compilemessages runs it; polib where gettext is not installed."""
    if shutil.which("msgfmt"):
        subprocess.run(["msgfmt", "--check-format", "-o", str(mo), str(po)], check=True, capture_output=True)
    else:
        import polib

        polib.pofile(str(po)).save_as_mofile(str(mo))


def catalog_install(settings, tmp_path, translations):
    """A test-only catalog (pacm issue 9): `translations` {locale: {msgid: msgstr}} compiled into
    tmp_path/locale and put first in settings.LOCALE_PATHS (Django resets its translation caches
    when the setting changes), so a test reads real translations before the real catalogs have them."""
    import polib

    base = Path(tmp_path) / "test-locale"
    for locale, entries in translations.items():
        po = polib.POFile()
        po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": locale}
        for msgid, msgstr in entries.items():
            po.append(polib.POEntry(msgid=msgid, msgstr=msgstr))
        path = po_path(locale, base)
        path.parent.mkdir(parents=True, exist_ok=True)
        po.save(str(path))
        po.save_as_mofile(str(path.with_suffix(".mo")))
    settings.LOCALE_PATHS = [base, *settings.LOCALE_PATHS]
    return base
