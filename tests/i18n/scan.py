"""The template scanner of tests/i18n (pacm issue 9): the English a template shows that no
{% translate %} / {% blocktranslate %} carries.

A template is read with Django's own lexer: every {{ variable }} and {% tag %} becomes a placeholder,
a {% blocktranslate %}...{% endblocktranslate %} span and a {% comment %} block vanish whole, and the
rest is parsed as HTML: its text nodes and the attributes people read (title, alt, aria-label,
placeholder, and data-confirm, the question pacm.js asks) must hold no word but the allowed ones.
"""
import re
from html.parser import HTMLParser
from pathlib import Path

from django.template.base import Lexer, TokenType

TEMPLATES_DIR = Path(__file__).resolve().parents[2] / "templates"
ATTRIBUTES = {"title", "alt", "aria-label", "placeholder", "data-confirm"}
HOLE = "\x00"
# Words that are the same in every language: names, codes and symbols of the mechanism and the web.
ALLOWED = frozenset("""
pacm PACM UTC PDF CSV XLSX JSON AEF API REST OpenAPI SHA QR ID
A6 ER ERs A6.4ERs ITMO ITMOs NDC NDCs OMGE OIMP CDM PoA PoAs CP CPs DOE DOEs DNA DNAs SB CMA RMP MP
SIDS LDC LDCs tCO2e CO2e CO2 e-mail
""".split())
WORD = re.compile(r"[A-Za-z][A-Za-z'’.-]*[A-Za-z]|[A-Za-z]")
ENTITY = re.compile(r"&(#\d+|#x[0-9a-fA-F]+|\w+);")


def words(text):
    """The words of `text` not allowed (codes like A6.4-AMM-001 and placeholders aside)."""
    text = ENTITY.sub(" ", text.replace(HOLE, " "))
    found = []
    for token in re.split(r"\s+", text):
        if not token or re.search(r"\d", token):
            continue  # a reference, a serial, a version, a paragraph number: codes
        for word in WORD.findall(token):
            if word not in ALLOWED and word.strip(".-'") not in ALLOWED and len(word) > 1:
                found.append(word)
    return found


# A string a tag hands to a template (`{% include ... with title="..." %}`, `{% with x="..." %}`) or
# shows in place of an empty value (`|default:"..."`): shown to people unless written _("...").
# Keys that are codes (id=, kind=, name=, ...) are not read: only these, which carry text.
TEXT_KEYS = ("title", "heading", "empty_text", "label", "text", "caption", "legend", "placeholder", "help", "message")
SHOWN_LITERAL = re.compile(r"(?:\b(?:" + "|".join(TEXT_KEYS) + r""")=|\|default(?:_if_none)?:)(?P<q>["'])(?P<text>.*?)(?P=q)""")
# Literals that are codes, not text: the CSS class of a message without tags (base.html).
CODE_LITERALS = frozenset({"info"})


def literals(token):
    """The words of the shown string literals of one {% tag %} or {{ variable }}."""
    name = (token.contents.split() or [""])[0]
    if token.token_type == TokenType.BLOCK and name not in ("include", "with"):
        if "|default" not in token.contents:
            return []
    return [w for m in SHOWN_LITERAL.finditer(token.contents) if m.group("text") not in CODE_LITERALS
            for w in words(m.group("text"))]


def flatten(source, found=None):
    """The template's HTML with its tags as placeholders and its translated spans removed; the
    words of shown string literals in tags go to `found`."""
    out, skip = [], None
    found = [] if found is None else found
    for token in Lexer(source).tokenize():
        if token.token_type in (TokenType.BLOCK, TokenType.VAR) and skip is None:
            found += [("tag literal", w) for w in literals(token)]
        if skip is not None:
            if token.token_type == TokenType.BLOCK and token.contents.split()[:1] == [skip]:
                skip = None
                out.append(HOLE)
            continue
        if token.token_type == TokenType.TEXT:
            out.append(token.contents)
        elif token.token_type == TokenType.BLOCK:
            name = (token.contents.split() or [""])[0]
            if name in ("blocktranslate", "blocktrans"):
                skip = "end" + name
            elif name == "comment":
                skip = "endcomment"
            elif name == "verbatim":
                skip = "endverbatim"
            else:
                out.append(HOLE)
        elif token.token_type == TokenType.VAR:
            out.append(HOLE)
    return "".join(out)


class _Reader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=False)
        self.found, self.raw = [], 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self.raw += 1
        for name, value in attrs:
            if name in ATTRIBUTES and value:
                self.found += [(f"{tag}[{name}]", w) for w in words(value)]

    handle_startendtag = handle_starttag

    def handle_endtag(self, tag):
        if tag in ("script", "style") and self.raw:
            self.raw -= 1

    def handle_data(self, data):
        if not self.raw:
            self.found += [("text", w) for w in words(data)]


def unmarked(source):
    """[(where, word)] of one template's text."""
    reader, in_tags = _Reader(), []
    reader.feed(flatten(source, in_tags))
    reader.close()
    return in_tags + reader.found


def templates():
    return sorted(p for p in TEMPLATES_DIR.rglob("*") if p.suffix in (".html", ".txt") and p.is_file())
