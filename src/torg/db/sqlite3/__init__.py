"""SQLite with one queue of writers per database file (see :mod:`.base`)."""
