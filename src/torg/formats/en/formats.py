"""English: "29 Nov 2026, 14:05" (day first, as in British English; 24-hour clock as at a
Norwegian desk)."""

DATETIME_FORMAT = "j M Y, H:i"
