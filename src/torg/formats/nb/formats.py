"""Bokmål: "29. nov. 2026 14:05" (Språkrådet's abbreviated month with a full stop)."""

DATETIME_FORMAT = "j. N Y H:i"
