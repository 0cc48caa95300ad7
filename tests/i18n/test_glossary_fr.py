"""The French catalog uses the UN's French terms of locale/fr/glossary.csv consistently.

For every glossary row, each message whose English text contains the term (word-bounded,
case-insensitive except for acronyms, optional plural "s", placeholders ignored) must have a French translation containing the French
term or one of its accepted variants (plural or inflected forms). The .po file is read with
a tiny parser so the test needs nothing outside requirements.txt.
"""

import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale" / "fr" / "LC_MESSAGES" / "django.po"
GLOSSARY = ROOT / "locale" / "fr" / "glossary.csv"

_ESCAPES = {"n": "\n", "t": "\t", '"': '"', "\\": "\\", "r": "\r"}


def _unquote(token):
    body = token.strip()[1:-1]
    return re.sub(r"\\(.)", lambda m: _ESCAPES.get(m.group(1), m.group(0)), body)


def parse_po(path):
    """Return a list of entries: dicts with msgid, msgid_plural and msgstr {index: text}."""
    entries, entry, field = [], None, None

    def flush():
        if entry is not None and "msgid" in entry:
            entries.append(entry)

    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith('"'):
            text = _unquote(line)
            if isinstance(field, tuple):
                entry["msgstr"][field[1]] += text
            else:
                entry[field] += text
            continue
        keyword, _, rest = line.partition(" ")
        starts_entry = keyword == "msgctxt" or (keyword == "msgid" and (entry is None or entry["msgstr"]))
        if starts_entry:
            flush()
            entry = {"msgstr": {}}
        if keyword.startswith("msgstr"):
            index = int(keyword[7:-1]) if "[" in keyword else 0
            entry["msgstr"][index] = _unquote(rest)
            field = ("msgstr", index)
        else:
            entry[keyword] = _unquote(rest)
            field = keyword
    flush()
    return [e for e in entries if e["msgid"]]  # drop the header


def load_glossary():
    with GLOSSARY.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return rows


PLACEHOLDER = re.compile(r"%\([^)]*\)[a-z]|\{[a-z_0-9]*\}")


def term_pattern(english):
    """Word-bounded, optional plural "s"; case-insensitive except for acronyms (DOE vs "does")."""
    acronym = " " not in english and sum(ch.isupper() for ch in english) >= 2
    flags = 0 if acronym else re.IGNORECASE
    return re.compile(r"\b" + re.escape(english) + r"s?\b", flags)


def _norm(text):
    return text.replace("\u00a0", " ").replace("\u2019", "'").casefold()


ENTRIES = parse_po(PO)
ROWS = load_glossary()


def test_catalog_is_parsed_and_complete():
    assert len(ENTRIES) > 2000
    untranslated = [e["msgid"] for e in ENTRIES if not all(e["msgstr"].values()) or not e["msgstr"]]
    assert untranslated == []
    plurals = [e for e in ENTRIES if "msgid_plural" in e]
    assert plurals and all(sorted(e["msgstr"]) == [0, 1] for e in plurals)


def test_glossary_has_the_domain_terms():
    assert 40 <= len(ROWS) <= 100
    english = {row["english"] for row in ROWS}
    assert {"Supervisory Body", "DOE", "host Party", "crediting period", "share of proceeds"} <= english
    assert all(row["french"].strip() for row in ROWS)
    assert len(english) == len(ROWS), "each English term appears once"


@pytest.mark.parametrize("row", ROWS, ids=[row["english"] for row in ROWS])
def test_term_is_translated_consistently(row):
    pattern = term_pattern(row["english"])
    accepted = [row["french"]] + [v for v in (row.get("variants") or "").split("|") if v]
    accepted = [_norm(term) for term in accepted]
    checked, offenders = 0, []
    for entry in ENTRIES:
        forms = [(entry["msgid"], entry["msgstr"].get(0, ""))]
        if "msgid_plural" in entry:
            forms.append((entry["msgid_plural"], entry["msgstr"].get(1, "")))
        for source, translation in forms:
            if not pattern.search(PLACEHOLDER.sub(" ", source)):
                continue
            checked += 1
            if not any(term in _norm(translation) for term in accepted):
                offenders.append((source, translation))
    assert checked, f"no message uses {row['english']!r}: drop it from the glossary"
    assert offenders == []
