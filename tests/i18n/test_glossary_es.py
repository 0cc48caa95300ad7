"""The Spanish catalog keeps the UN's official Spanish terms (pacm issue 9): for every row of
locale/es/glossary.csv, each message whose English text has the term (word-bounded, any case,
a space may be a hyphen) has a Spanish text with the glossary's term or one of its variants.

The catalog is read by a small parser of its own: polib is not a project requirement."""

import ast
import csv
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
GLOSSARY = ROOT / "locale" / "es" / "glossary.csv"
CATALOG = ROOT / "locale" / "es" / "LC_MESSAGES" / "django.po"

_KEYWORD = re.compile(r'^(msgctxt|msgid|msgid_plural|msgstr(?:\[(\d+)\])?)\s+(".*")\s*$')


def _unquote(literal):
    """A PO string literal is a C string; as a Python literal it reads the same for \\n, \\t, \\", \\\\."""
    return ast.literal_eval(literal)


def parse_po(text):
    """Entries of a PO file as dicts: msgid, msgid_plural, msgstr (list of forms), fuzzy."""
    entries, current, field, fuzzy = [], None, None, False

    def close():
        if current is not None:
            entries.append(current)

    for line in text.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("#"):
            if line.startswith("#,") and "fuzzy" in line:
                fuzzy = True
            continue
        match = _KEYWORD.match(line)
        if match:
            keyword, index, literal = match.groups()
            if keyword in ("msgctxt", "msgid") and (current is None or current.get("_done")):
                close()
                current = {"msgctxt": None, "msgid": "", "msgid_plural": None, "msgstr": [], "fuzzy": fuzzy}
                fuzzy = False
            if keyword.startswith("msgstr"):
                current["_done"] = True
                current["msgstr"].append("")
                field = ("msgstr", len(current["msgstr"]) - 1)
            else:
                current[keyword] = current[keyword] or ""
                field = (keyword, None)
            value = _unquote(literal)
        elif line.startswith('"'):
            value = _unquote(line)
        else:
            raise ValueError(f"unreadable PO line: {line!r}")
        name, index = field
        if name == "msgstr":
            current["msgstr"][index] += value
        else:
            current[name] += value
    close()
    return [entry for entry in entries if entry["msgid"]]


def load_glossary():
    with GLOSSARY.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    return rows


def term_pattern(english):
    words = [re.escape(word) for word in english.split()]
    return re.compile(r"(?<!\w)" + r"[\s-]+".join(words) + r"(?!\w)", re.IGNORECASE)


def accepted(row):
    """The Spanish term and its variants, each matched as whole words, any case."""
    variants = [v.strip() for v in (row.get("variants") or "").split("|") if v.strip()]
    return [term_pattern(term) for term in (row["spanish"].strip(), *variants)]


_PLACEHOLDER = re.compile(r"%\([^)]*\)[a-z]|%[a-z%]|\{[a-z_0-9]*\}")


def prose(text):
    """The words of a message without its placeholders: %(vintage)s is a name, not the term."""
    return _PLACEHOLDER.sub(" ", text)


CATALOG_ENTRIES = parse_po(CATALOG.read_text(encoding="utf-8"))
GLOSSARY_ROWS = load_glossary()


def test_parser_reads_the_whole_catalog():
    """The parser sees every message of the catalog (2,033 when written, 19 of them plural), each plural
    with the three forms of the header's nplurals=3."""
    lines = CATALOG.read_text(encoding="utf-8").splitlines()
    msgids = sum(1 for line in lines if line.startswith("msgid ")) - 1  # less the header
    plurals = sum(1 for line in lines if line.startswith("msgid_plural "))
    assert "nplurals=3;" in CATALOG.read_text(encoding="utf-8")
    assert len(CATALOG_ENTRIES) == msgids >= 2033
    assert len([e for e in CATALOG_ENTRIES if e["msgid_plural"] is not None]) == plurals >= 19
    assert all(len(e["msgstr"]) == 3 for e in CATALOG_ENTRIES if e["msgid_plural"] is not None)


def test_every_message_is_translated_and_none_is_fuzzy():
    untranslated = [e["msgid"] for e in CATALOG_ENTRIES if not all(form.strip() for form in e["msgstr"])]
    fuzzy = [e["msgid"] for e in CATALOG_ENTRIES if e["fuzzy"]]
    assert untranslated == []
    assert fuzzy == []


def test_glossary_has_its_columns_and_a_row_per_term():
    assert GLOSSARY_ROWS, "the glossary is empty"
    assert {"english", "spanish", "note", "variants"} <= set(GLOSSARY_ROWS[0])
    terms = [row["english"].strip().casefold() for row in GLOSSARY_ROWS]
    assert len(terms) == len(set(terms)), "a term has two rows"
    assert all(row["spanish"].strip() for row in GLOSSARY_ROWS)


def test_glossary_terms_occur_in_the_catalog():
    """A glossary row that matches nothing tests nothing: every term but a handful of reference
    terms (kept so the translators use them) must occur in some message."""
    texts = [prose(e["msgid"] + "\n" + (e["msgid_plural"] or "")) for e in CATALOG_ENTRIES]
    unused = [row["english"] for row in GLOSSARY_ROWS if not any(term_pattern(row["english"]).search(t) for t in texts)]
    assert len(unused) <= 5, unused


def glossary_misses(row, entries):
    """(English, Spanish) pairs of the messages that have the row's English term but none of its Spanish ones."""
    pattern = term_pattern(row["english"])
    wanted = accepted(row)
    misses = []
    for entry in entries:
        sources = [entry["msgid"]]
        if entry["msgid_plural"] is not None:
            sources += [entry["msgid_plural"]] * (len(entry["msgstr"]) - 1)
        for source, translation in zip(sources, entry["msgstr"], strict=True):
            if pattern.search(prose(source)) and not any(term.search(prose(translation)) for term in wanted):
                misses.append((source, translation))
    return misses


SAMPLE_PO = r"""
msgid ""
msgstr ""
"Plural-Forms: nplurals=3; plural=n == 1 ? 0 : n != 0 && n % 1000000 == 0 ? 1 : 2;\n"

#, python-format
msgid "The DOE of %(vintage)s"
msgstr "La EOD de %(vintage)s"

msgid "Ask the DOE"
msgstr "Pregunte al verificador"

msgid ""
"A monitoring "
"report\n"
msgstr "Un informe de \"vigilancia\"\n"

#, fuzzy
msgid "%(n)s unit held by the DOE"
msgid_plural "%(n)s units held by the DOE"
msgstr[0] "%(n)s unidad en poder de la EOD"
msgstr[1] "%(n)s unidades en poder del verificador"
msgstr[2] "%(n)s unidades en poder de la EOD"
"""


def test_the_check_catches_a_message_without_the_term():
    """Placeholders are not words (%(vintage)s is no vintage); a plural form is checked on its own."""
    entries = parse_po(SAMPLE_PO)
    assert [e["msgid"] for e in entries] == [
        "The DOE of %(vintage)s",
        "Ask the DOE",
        "A monitoring report\n",
        "%(n)s unit held by the DOE",
    ]
    assert entries[2]["msgstr"] == ['Un informe de "vigilancia"\n']
    assert entries[3]["fuzzy"] and not entries[0]["fuzzy"]
    doe = {"english": "DOE", "spanish": "EOD", "variants": ""}
    assert glossary_misses(doe, entries) == [
        ("Ask the DOE", "Pregunte al verificador"),
        ("%(n)s units held by the DOE", "%(n)s unidades en poder del verificador"),
    ]
    vintage = {"english": "vintage", "spanish": "año de cosecha", "variants": ""}
    assert glossary_misses(vintage, entries) == []
    report = {"english": "monitoring report", "spanish": "informe de vigilancia", "variants": ""}
    assert glossary_misses(report, entries) == [("A monitoring report\n", 'Un informe de "vigilancia"\n')]


@pytest.mark.parametrize("row", GLOSSARY_ROWS, ids=lambda row: row["english"])
def test_translations_use_the_glossary_term(row):
    misses = glossary_misses(row, CATALOG_ENTRIES)
    assert misses == [], f"{row['english']!r} is not rendered as {row['spanish']!r} in {len(misses)} message(s)"


_MARKUP = re.compile(r"%\([^)]*\)[a-z]|%[a-z%]|\{[a-z_0-9]*\}|</?[a-z][^>]*>|&[a-z#0-9]+;")


def _edges(text):
    """The leading and trailing whitespace of a message."""
    return text[: len(text) - len(text.lstrip())], text[len(text.rstrip()) :]


def test_translations_keep_placeholders_markup_and_edge_whitespace():
    """A lost %(name)s breaks the page at render time; a lost tag or newline breaks the layout."""
    broken = []
    for entry in CATALOG_ENTRIES:
        sources = [entry["msgid"]]
        if entry["msgid_plural"] is not None:
            sources += [entry["msgid_plural"]] * (len(entry["msgstr"]) - 1)
        for form, (source, translation) in enumerate(zip(sources, entry["msgstr"], strict=True)):
            wanted, found = sorted(_MARKUP.findall(source)), sorted(_MARKUP.findall(translation))
            # The singular form of a plural may leave out the count (e.g. "The serial range that will move").
            same = wanted == found or (form == 0 and entry["msgid_plural"] is not None and set(found) <= set(wanted))
            kept = _edges(source) == _edges(translation)
            if not (same and kept):
                broken.append((source, translation))
    assert broken == []
