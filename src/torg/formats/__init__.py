"""Torg's own date formats per language (Django's ``FORMAT_MODULE_PATH``): where Django's
defaults do not read well at a desk. Templates use the format names (``DATETIME_FORMAT``),
never a pattern, so each language gets its own order and month names."""
