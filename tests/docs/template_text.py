"""The template scanner of test_i18n_hooks: runs of visible text outside {% translate %} / {% blocktranslate %}."""
import re

TAG = re.compile(r"({%.*?%}|{{.*?}}|{#.*?#})")
LETTER = re.compile(r"[^\W\d_]", re.UNICODE)
TRANSLATED_ATTRS = {"placeholder", "aria-label", "title", "alt"}


def _tokens(source):
    """Template tags whole, text character by character."""
    for piece in TAG.split(source):
        if not piece:
            continue
        if TAG.fullmatch(piece):
            yield piece
        else:
            yield from piece


def scan(source):
    """The source as items whose raw texts joined give it back:
    ("raw", str), ("run", [(kind, raw)]) for text outside HTML tags (kind "text" or "var"),
    ("attr", [(kind, raw)]) for the value of a translatable attribute."""
    toks = list(_tokens(source))
    out, run = [], []
    state = "text"  # text | tag | value | skip
    quote, value, value_translated, skip_until, tag_name = None, [], False, None, ""

    def add_text(kind, raw, target):
        if kind == "text" and target and target[-1][0] == "text":
            target[-1] = ("text", target[-1][1] + raw)
        else:
            target.append((kind, raw))

    def flush():
        nonlocal run
        if run:
            out.append(("run", run))
            run = []

    i = 0
    while i < len(toks):
        t = toks[i]
        is_tag = len(t) > 1
        if state == "skip":
            out.append(("raw", t))
            if is_tag and t.startswith("{%") and t[2:-2].split()[:1] == [skip_until]:
                state = "text"
            elif not is_tag and t == "<" and "".join(toks[i:i + len(skip_until)]).lower() == skip_until:
                state = "text"  # the closing tag is read as a tag next
                out.pop()
                continue
            i += 1
            continue
        if state == "text":
            if is_tag:
                if t.startswith("{{"):
                    run.append(("var", t))
                else:
                    flush()
                    out.append(("raw", t))
                    word = t[2:-2].split()[:1]
                    if t.startswith("{%") and word and word[0] in ("blocktranslate", "blocktrans", "comment", "verbatim"):
                        state, skip_until = "skip", "end" + word[0]
            elif t == "<" and i + 1 < len(toks) and (toks[i + 1].isalpha() or toks[i + 1] in "/!"):
                flush()
                m = re.match(r"</?([a-zA-Z0-9]+)", "".join(toks[i:i + 12]))
                tag_name = m.group(1).lower() if m else ""
                closing = toks[i + 1] == "/"
                out.append(("raw", t))
                state = "tag"
                if closing:
                    tag_name = ""
            else:
                add_text("text", t, run)
            i += 1
            continue
        if state == "tag":
            if not is_tag and t in "\"'":
                before = "".join(x for x in toks[max(0, i - 30):i] if len(x) == 1)  # the attribute's name
                m = re.search(r"([\w-]+)=$", before)
                quote, value = t, []
                value_translated = bool(m and m.group(1).lower() in TRANSLATED_ATTRS)
                out.append(("raw", t))
                state = "value"
            elif t == ">":
                out.append(("raw", t))
                state = "text"
                if tag_name in ("script", "style"):
                    state, skip_until = "skip", "</" + tag_name
            else:
                out.append(("raw", t))
            i += 1
            continue
        if state == "value":
            if t == quote:
                out.append(("attr", value) if value_translated else ("raw", "".join(r for _, r in value)))
                out.append(("raw", t))
                state = "tag"
            else:
                add_text("var" if is_tag else "text", t, value)
            i += 1
            continue
    flush()
    assert "".join(raw for item in out for raw in ([item[1]] if item[0] == "raw" else [r for _, r in item[1]])) == source
    return out


def visible(segments):
    """The text of a run without its template tags, when it has a letter in it."""
    text = "".join(raw for kind, raw in segments if kind == "text")
    return text.strip() if LETTER.search(text) else ""
