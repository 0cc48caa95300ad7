"""The zh_Hans catalog uses the glossary's terms (issue 9).

Every msgid that contains a glossary term (word-bounded, case-insensitive, with its English plural;
an all-capitals abbreviation such as DOE matches its case only, so "does" is not a DOE) must have a
msgstr containing the glossary's Chinese term, or one of the row's accepted variants (";"-separated).
Placeholders and <code> spans are code, not English, and a row's other_senses (a regex of English
phrases where the word means something else, e.g. "proposed transition" of a state machine) are
left out before matching. Reads the .po with a tiny parser, since polib is not a project dependency.
"""

import ast
import csv
import re
from pathlib import Path

import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale" / "zh_Hans"
GLOSSARY = LOCALE / "glossary.csv"
CATALOG = LOCALE / "LC_MESSAGES" / "django.po"


def _unquote(line: str) -> str:
    """One quoted .po string ("...") to its text, C escapes resolved."""
    return ast.literal_eval(line)


def read_po(path: Path) -> list[dict]:
    """The catalog's entries as dicts: msgid, msgid_plural, msgstr (list), flags."""
    entries, entry, field = [], None, None

    def flush():
        if entry is not None and entry.get("msgid") is not None:
            entries.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#,"):
            flush()
            entry, field = {"flags": {f.strip() for f in line[2:].split(",")}, "msgstr": []}, None
            continue
        if line.startswith("#"):
            if entry is not None and entry.get("msgid") is not None:
                flush()
                entry = None
            continue
        keyword, _, rest = line.partition(" ")
        if line.startswith('"'):
            value = _unquote(line)
            if field == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[field] += value
            continue
        if keyword == "msgid":
            if entry is None or entry.get("msgid") is not None:
                flush()
                entry = {"flags": set(), "msgstr": []}
            entry["msgid"], field = _unquote(rest), "msgid"
        elif keyword == "msgid_plural":
            entry["msgid_plural"], field = _unquote(rest), "msgid_plural"
        elif keyword.startswith("msgstr"):
            entry["msgstr"].append(_unquote(rest))
            field = "msgstr"
        else:
            raise ValueError(f"unexpected .po line: {raw!r}")
    flush()
    return [e for e in entries if e["msgid"]]  # drop the header


def read_glossary(path: Path) -> list[dict]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def term_pattern(term: str) -> re.Pattern:
    """The English term, word-bounded, singular or plural; case-insensitive unless an abbreviation."""
    forms = [re.escape(term) + "(?:s|es)?"]
    if term.endswith("y"):
        forms.append(re.escape(term[:-1]) + "ies")
    flags = 0 if term.isupper() else re.IGNORECASE
    return re.compile(r"(?<![\w.-])(?:" + "|".join(forms) + r")(?![\w])", flags)


CODE = re.compile(r"%\([^)]*\)[a-z]|%[a-z%]|\{[^}]*\}|<code>.*?</code>", re.DOTALL)


def english_of(entry: dict, other_senses: str) -> str:
    """The msgid (and plural) as English prose: code removed, and the row's other senses."""
    text = CODE.sub(" ", entry["msgid"] + "\n" + entry.get("msgid_plural", ""))
    if other_senses:
        text = re.sub(other_senses, " ", text, flags=re.IGNORECASE)
    return text


ENTRIES = read_po(CATALOG)
ROWS = read_glossary(GLOSSARY)


def test_the_glossary_has_its_columns_and_enough_terms():
    assert {"english", "chinese", "note/source", "variants", "other_senses"} <= set(ROWS[0])
    assert 40 <= len(ROWS) <= 100
    englishes = [row["english"].strip().lower() for row in ROWS]
    assert len(englishes) == len(set(englishes)), "a term is listed twice"
    assert all(row["chinese"].strip() for row in ROWS)


def test_the_parser_reads_the_whole_catalog():
    assert len(ENTRIES) > 2000
    plurals = [e for e in ENTRIES if "msgid_plural" in e]
    assert plurals and all(len(e["msgstr"]) == 1 for e in plurals)  # nplurals=1


def test_code_and_other_senses_are_not_taken_for_the_term():
    entry = {"msgid": "%(party)s does not meet the proposed transition; send <code>Authorization</code>."}
    assert not term_pattern("Party").search(english_of(entry, ""))
    assert not term_pattern("DOE").search(english_of(entry, ""))
    assert not term_pattern("authorization").search(english_of(entry, ""))
    assert term_pattern("transition").search(english_of(entry, ""))
    assert not term_pattern("transition").search(english_of(entry, "proposed transition"))
    assert term_pattern("Party").search("Parties and stakeholders")
    assert term_pattern("DOE").search("the DOEs") and not term_pattern("DOE").search("it does")


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = [e["msgid"] for e in ENTRIES if not all(s.strip() for s in e["msgstr"])]
    fuzzy = [e["msgid"] for e in ENTRIES if "fuzzy" in e["flags"]]
    assert untranslated == []
    assert fuzzy == []


@pytest.mark.parametrize("row", ROWS, ids=[row["english"] for row in ROWS])
def test_each_message_with_the_term_uses_its_chinese_rendering(row):
    pattern = term_pattern(row["english"].strip())
    accepted = [row["chinese"].strip()] + [v.strip() for v in (row.get("variants") or "").split(";") if v.strip()]
    misses = []
    for entry in ENTRIES:
        if pattern.search(english_of(entry, (row.get("other_senses") or "").strip())) and not any(
            a in s for s in entry["msgstr"] for a in accepted
        ):
            misses.append((entry["msgid"], entry["msgstr"][0]))
    assert misses == [], f"{row['english']} → {accepted}: {misses[:10]} ({len(misses)} in all)"
