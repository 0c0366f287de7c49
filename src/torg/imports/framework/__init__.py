"""The import framework that every import in Torg goes through.

A :class:`Profile` declares how one kind of source file maps to Torg: which columns it
expects (source header → field, with a parse function per column), how a parsed row
becomes one or more records (:meth:`Profile.build`), and where they are written (an
:class:`UpsertWriter` keyed on the record's natural key).

:func:`run_import` then guarantees, for every profile:

* every row is read and validated before anything is written; every bad cell becomes an
  :class:`Issue` naming file, row, column, value and reason (every cell of a row is
  checked, so a row with three bad cells gets three issues; the profile's checks of a row
  as a whole, which need its cells valid, run only once they are), and one bad cell means
  nothing at all is written (:class:`ImportFailed`). So do a row with values beyond the
  header's columns, a ``ValueError`` or ``ArithmeticError`` raised while the profile builds
  a row (a date outside the years Torg accepts), and a number larger than its column
  stores (:meth:`UpsertWriter.out_of_range`);
* every row read is accounted for: created, updated, unchanged or skipped (a blank row,
  or one the profile skips);
* the write happens in one transaction, together with its :class:`ImportBatch` record, so
  a killed process leaves the database as it was;
* re-importing the same file adds nothing: a file whose SHA-256 is already recorded for the
  profile and municipality is skipped, and any other file is upserted on the natural key,
  so rows already present are left as they are (or updated where the file changed them);
* two rows of one file with the same natural key are an error, not a silent overwrite.

User errors (unknown profile, option or municipality; a folder, a binary, unreadable or
mismatched file) raise :class:`ImportRefused` with a message that says what would be valid.
"""

from torg.imports.framework.errors import (
    ImportFailed,
    ImportRefused,
    Issue,
    MissingRows,
    RowError,
)
from torg.imports.framework.profile import (
    Column,
    ImportRun,
    Profile,
    Scope,
    choice_parser,
    iter_profiles_help,
)
from torg.imports.framework.run import ImportResult, file_sha256, run_import
from torg.imports.framework.writer import ProgressCallback, Record, UpsertWriter

__all__ = [
    "Column",
    "ImportFailed",
    "ImportRefused",
    "ImportResult",
    "ImportRun",
    "Issue",
    "MissingRows",
    "Profile",
    "ProgressCallback",
    "Record",
    "RowError",
    "Scope",
    "UpsertWriter",
    "choice_parser",
    "file_sha256",
    "iter_profiles_help",
    "run_import",
]
