"""pacm's one date, date-time and number format per language (settings.FORMAT_MODULE_PATH).

Templates say `|date:"DATE_FORMAT"` or `|date:"DATETIME_FORMAT"` (never a literal pattern) and Python
says `formats.date_format(value, "DATE_FORMAT")`, so a page, an e-mail and a PDF in one language show
one format. The times are UTC (settings.TIME_ZONE): the date-time formats say so.
Machine-readable outputs (the API, the CSV and AEF exports, event payloads) use ISO 8601, not these.
"""
