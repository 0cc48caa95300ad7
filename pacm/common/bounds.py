"""What a number, a date or a text may be where it enters: one place for the forms, the admin and the
services (issue 11, "Hard to break").

Each limit is the smaller of what its column holds on every database we run (PostgreSQL's
`integer` is 32-bit, SQLite and `bigint` 64-bit) and what every later computation with the value
can hold (date arithmetic, the issuance split, fees, serial numbers). These are technical limits,
not rules of the mechanism: no real activity comes near them, and the rules themselves (crediting
periods, the units verified, ...) are checked by the services from the rule set in force.
"""
import datetime
import unicodedata
from decimal import Decimal

from django.core.validators import MaxValueValidator, MinValueValidator
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop

from .errors import ServiceError

# --- Columns ----------------------------------------------------------------------------------
SMALLINT_MAX = 2**15 - 1  # PositiveSmallIntegerField on PostgreSQL
INT_MAX = 2**31 - 1  # PositiveIntegerField on PostgreSQL
BIGINT_MAX = 2**63 - 1  # PositiveBigIntegerField, and any SQLite integer

# --- Dates ------------------------------------------------------------------------------------
# Every date typed in: activity, crediting and monitoring dates, authorization and rule-set dates.
# The mechanism's first crediting periods start in 2021 (RMP 31(f)); a century and more of room
# either way keeps `date + years` and `date + days` far from Python's year 9999.
DATE_MIN = datetime.date(1990, 1, 1)
DATE_MAX = datetime.date(2200, 12, 31)
YEAR_MIN, YEAR_MAX = DATE_MIN.year, DATE_MAX.year  # vintages

# --- Quantities (tonnes of CO2e, whole units) -------------------------------------------------
# One claim, one period's claims together, a request, a cap, a compensation or a move: 10 Gt, four
# times every CER the CDM ever issued. Twelve vintages of it stay far below BIGINT_MAX, and so do
# the serial numbers of an activity's vintage after millions of issuances.
UNITS_MAX = 10**10
# Activity.estimated_annual is an `integer` column.
ESTIMATE_MAX = INT_MAX
# Fee.amount_usd holds 14 digits with 2 decimals (below 10**12): the issuance fee per unit times
# the most units one request can ask for must fit (7/CMA.4 annex I para 53).
FEE_AMOUNT_MAX = Decimal("999999999999.99")
FEE_PER_UNIT_MAX = Decimal("99.9999")
assert FEE_PER_UNIT_MAX * UNITS_MAX <= FEE_AMOUNT_MAX

# --- Rule-set parameters ----------------------------------------------------------------------
# A timer of ten years is already absurd; `now + days` stays far inside what datetime can hold.
TIMER_DAYS_MAX = 3650
# Crediting-period lengths and renewals: start + years x (renewals + 1) stays before year 9999.
PERIOD_YEARS_MAX = 100
RENEWALS_MAX = 10


def limit(value):
    """A limit as people read it: 10,000,000,000."""
    return f"{value:,}"


def lazy_message(message, params):
    """A message translated when it is shown (in the language of the request), its values inserted then."""
    return lazy(lambda: _(message) % params, str)()


# The messages in English (what the tests read); each is translated where it is shown.
DATE_TEMPLATE = gettext_noop("Give a date between %(min)s and %(max)s.")
DATE_PARAMS = {"min": DATE_MIN.isoformat(), "max": DATE_MAX.isoformat()}
DATE_MESSAGE = DATE_TEMPLATE % DATE_PARAMS
YEAR_TEMPLATE = gettext_noop("Give a year between %(min)s and %(max)s.")
YEAR_PARAMS = {"min": YEAR_MIN, "max": YEAR_MAX}
YEAR_MESSAGE = YEAR_TEMPLATE % YEAR_PARAMS


def date_message():
    return lazy_message(DATE_TEMPLATE, DATE_PARAMS)


def year_message():
    return lazy_message(YEAR_TEMPLATE, YEAR_PARAMS)


def date_validators():
    return [MinValueValidator(DATE_MIN, message=date_message()), MaxValueValidator(DATE_MAX, message=date_message())]


def date_problem(value):
    """The message for a date outside DATE_MIN..DATE_MAX (or not a date at all), else None."""
    if not isinstance(value, datetime.date) or isinstance(value, datetime.datetime):
        return _("Give a date.")
    if not DATE_MIN <= value <= DATE_MAX:
        return _(DATE_TEMPLATE) % DATE_PARAMS
    return None


def date_check(value, *, field):
    problem = date_problem(value)
    if problem:
        raise ServiceError(problem, field=field, code="invalid")
    return value


def whole_problem(value, *, maximum, minimum=1, what=gettext_lazy("a whole number")):
    """The message for anything but a whole number in minimum..maximum (bool is not a number), else None."""
    if isinstance(value, bool) or not isinstance(value, int):
        return _("Give %(what)s.") % {"what": what}
    if value < minimum:
        return _("Give %(what)s of at least %(minimum)s.") % {"what": what, "minimum": limit(minimum)}
    if value > maximum:
        return _("Give %(what)s of at most %(maximum)s.") % {"what": what, "maximum": limit(maximum)}
    return None


def whole_check(value, *, field, maximum, minimum=1, what=gettext_lazy("a whole number")):
    """`value` as an int within minimum..maximum (digit strings are read); ServiceError otherwise."""
    if isinstance(value, str) and value.strip().isdigit():
        value = int(digits_normalise(value.strip()))
    problem = whole_problem(value, maximum=maximum, minimum=minimum, what=what)
    if problem:
        raise ServiceError(problem, field=field, code="invalid")
    return value


def max_message(maximum, unit=""):
    if unit:
        return lazy_message(gettext_noop("At most %(maximum)s %(unit)s."), {"maximum": limit(maximum), "unit": unit})
    return lazy_message(gettext_noop("At most %(maximum)s."), {"maximum": limit(maximum)})


def id_ok(value):
    """Whether `value` can be a primary key: a whole number a 64-bit column holds (or not a number at
    all, which the field refuses on its own). A huge id must be refused before it reaches the
    database, which cannot even compare with it."""
    text = digits_normalise(str(value)).strip()
    if not text.lstrip("-+").isdigit():
        return True
    return -BIGINT_MAX - 1 <= int(text) <= BIGINT_MAX


# --- Digits -----------------------------------------------------------------------------------
# Reading: numbers and dates may be typed in any script's decimal digits (Arabic-Indic ٣٠٠,
# Devanagari, full-width ３００): they are normalised to ASCII digits where they enter, and the
# normalised value is what is shown back and stored. Other characters that only look like digits
# (superscripts ², circled ①) are left as they are, so the field refuses them.
FULLWIDTH = range(0xFF01, 0xFF5F)


def digits_normalise(value):
    if not isinstance(value, str) or value.isascii():
        return value
    out = []
    for ch in value:
        if ord(ch) in FULLWIDTH:
            ch = unicodedata.normalize("NFKC", ch)
        elif unicodedata.category(ch) == "Nd":
            ch = str(unicodedata.decimal(ch))
        out.append(ch)
    return _strip_invisible("".join(out))


# --- Text -------------------------------------------------------------------------------------
# A text a person types must show something: only spaces, zero-width characters or bidi controls
# are refused. Text is NFC-normalised (not NFKC, which would change what was written: "CO₂" stays
# "CO₂"), and spaces and invisible characters are stripped from both ends.
_EDGE = frozenset({"Zs", "Zl", "Zp", "Cf", "Cc"})
# Letters and symbols that draw nothing (Unicode's default-ignorable fillers, the blank braille
# pattern): a title of Hangul fillers is as empty as one of zero-width spaces.
_BLANK = frozenset("\u115f\u1160\u17b4\u17b5\u2800\u3164\uffa0")
_ALLOWED_CONTROLS = frozenset("\t\n\r")
INVISIBLE_MESSAGE = gettext_noop("Write some visible text: this has only spaces or invisible characters.")
CONTROL_MESSAGE = gettext_noop("Remove the control characters from this text.")


def _strip_invisible(value):
    start, end = 0, len(value)
    while start < end and _invisible(value[start]):
        start += 1
    while end > start and _invisible(value[end - 1]):
        end -= 1
    return value[start:end]


def _invisible(ch):
    return ch.isspace() or ch in _BLANK or unicodedata.category(ch) in _EDGE


def has_visible(value):
    """Whether the text has a letter, digit, punctuation mark or symbol."""
    return any(unicodedata.category(ch)[0] in "LNPS" and ch not in _BLANK for ch in value)


def has_control(value):
    """Whether the text carries control characters (tab and line breaks are allowed)."""
    return isinstance(value, str) and any(unicodedata.category(ch) == "Cc" and ch not in _ALLOWED_CONTROLS for ch in value)


def text_problem(value):
    """The message for a text that shows nothing but is not blank (zero-width characters, bidi
    controls, fillers) or that carries control characters, else None. A blank text is simply empty."""
    if not isinstance(value, str) or value.strip() == "":
        return None
    if has_control(value):
        return _(CONTROL_MESSAGE)
    if not has_visible(value):
        return _(INVISIBLE_MESSAGE)
    return None


def text_clean(value):
    """NFC, without the spaces and invisible characters at either end; "" when nothing visible is left."""
    value = unicodedata.normalize("NFC", value or "")
    value = _strip_invisible(value)
    return value if has_visible(value) else ""


def text_required(value, *, field, message):
    """A cleaned text that shows something; ServiceError(message) if it is empty or invisible."""
    if has_control(value):
        raise ServiceError(_(CONTROL_MESSAGE), field=field, code="invalid")
    value = text_clean(value if isinstance(value, str) else "")
    if not value:
        raise ServiceError(message, field=field, code="invalid")
    return value
