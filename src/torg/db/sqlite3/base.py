"""Django's SQLite backend, with writers queued instead of polling for the write lock.

SQLite lets one connection at a time write. A connection that wants to begin a write
transaction (``BEGIN IMMEDIATE``, settings' ``transaction_mode``) while another one writes
gets ``SQLITE_BUSY``; with ``PRAGMA busy_timeout`` SQLite retries, sleeping 1, 2, 5, 10, …
up to 100 ms between attempts. Under load that polling is unfair: a waiter that sleeps
100 ms misses every short moment in which the lock is free, while newcomers take it. With
16 concurrent API writers some waited beyond the 5 s of ``busy_timeout`` and the request
failed with ``OperationalError: database is locked`` (a *500*), and the slowest 5 % of the
rest took over a second (measured with bench/http_logging.py).

This backend queues writers before they ask SQLite: the outermost ``atomic()`` block of a
connection to a database file first takes

1. a lock shared by the threads of the process (:class:`threading.Lock`, whose waiters
   block without polling and are woken when it is released), then
2. an exclusive lock on the file ``<database>.write-lock``, shared by the processes
   (gunicorn workers, commands): ``flock`` on a descriptor the connection keeps open
   (Linux, macOS; :class:`_FlockFile`), or the ``filelock`` library where there is no
   ``fcntl`` (Windows). At most one thread per process waits for it; it retries every
   millisecond. (``filelock`` 4 opens, checks and closes the file and its directory on
   every acquire, about 0.35 ms, which every write transaction would pay while other
   writers wait; ``flock`` on an open descriptor costs two system calls.)

Both are released when the transaction commits or rolls back, or the connection closes
(the operating system also drops the file lock of a process that dies). Waiting longer than
:data:`WRITE_LOCK_TIMEOUT_SECONDS` raises ``OperationalError`` as SQLite's own timeout
does. Writes outside ``atomic()`` (autocommit statements) and other programs still meet
SQLite's ``busy_timeout`` as before; the locks only make the transactions of this app take
turns. In-memory databases (the tests) are left alone.
"""

from __future__ import annotations

import os
import threading
import time
from typing import Any

import filelock

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]
from django.db import OperationalError
from django.db.backends.sqlite3 import base

#: How long a transaction waits for its turn to write (seconds); the same as the
#: ``busy_timeout`` of settings.py (5000 ms).
WRITE_LOCK_TIMEOUT_SECONDS = 5.0
#: How often the one waiting thread of a process retries the inter-process lock (seconds).
RETRY_SECONDS = 0.001

_process_locks: dict[str, threading.Lock] = {}
_process_locks_guard = threading.Lock()


def _process_lock(path: str) -> threading.Lock:
    with _process_locks_guard:
        return _process_locks.setdefault(path, threading.Lock())


def is_file_database(name: Any) -> bool:
    """Whether the database ``NAME`` is a file (not ``:memory:`` or a ``mode=memory`` URI)."""
    text = str(name)
    return bool(text) and text != ":memory:" and "mode=memory" not in text


class _FlockFile:
    """An exclusive ``flock`` on ``path``, through a descriptor opened on first use and
    kept until :meth:`close`; :meth:`acquire` and :meth:`release` as ``filelock``'s."""

    def __init__(self, path: str, mode: int) -> None:
        self.path = path
        self.mode = mode
        self.fd: int | None = None

    def acquire(self, timeout: float, poll_interval: float) -> None:
        if self.fd is None:
            self.fd = os.open(self.path, os.O_RDWR | os.O_CREAT, self.mode)
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise filelock.Timeout(self.path) from None
                time.sleep(poll_interval)

    def release(self) -> None:
        if self.fd is not None:
            fcntl.flock(self.fd, fcntl.LOCK_UN)

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)  # also drops a lock still held
            self.fd = None


class WriteLock:
    """The two locks of one connection's write transactions on the database file ``path``:
    :meth:`acquire` before ``BEGIN``, :meth:`release` after ``COMMIT`` or ``ROLLBACK``
    (releasing when not held does nothing)."""

    def __init__(self, path: str) -> None:
        self.lock_path = f"{path}.write-lock"
        self.process_lock = _process_lock(os.path.abspath(path))
        # The file stays (deleting it while another process waits on it would give two
        # writers two different files); its mode is SQLite's own, less the umask.
        self.file_lock: _FlockFile | filelock.FileLock = (
            _FlockFile(self.lock_path, 0o666)
            if fcntl is not None
            else filelock.FileLock(
                self.lock_path, mode=0o666, thread_local=False, preserve_lock_file=True
            )
        )
        self.held = False

    def acquire(self, timeout: float = WRITE_LOCK_TIMEOUT_SECONDS) -> None:
        deadline = time.monotonic() + timeout
        if not self.process_lock.acquire(timeout=timeout):
            raise OperationalError("database is locked (no turn to write within the timeout)")
        try:
            self.file_lock.acquire(
                timeout=max(0.0, deadline - time.monotonic()), poll_interval=RETRY_SECONDS
            )
        except filelock.Timeout:
            self.process_lock.release()
            raise OperationalError(
                "database is locked (no turn to write within the timeout)"
            ) from None
        except BaseException:
            self.process_lock.release()
            raise
        self.held = True

    def release(self) -> None:
        if not self.held:
            return
        self.held = False
        try:
            self.file_lock.release()
        finally:
            self.process_lock.release()

    def close(self) -> None:
        self.release()
        if isinstance(self.file_lock, _FlockFile):
            self.file_lock.close()


class DatabaseWrapper(base.DatabaseWrapper):
    _write_lock: WriteLock | None = None

    def _file_write_lock(self) -> WriteLock | None:
        """The write lock of the current ``NAME`` (the test runner changes it after the
        connection object is made), or ``None`` for an in-memory database."""
        name = self.settings_dict.get("NAME")
        if not is_file_database(name):
            return None
        lock = self._write_lock
        if lock is None or lock.lock_path != f"{name}.write-lock":
            if lock is not None:
                lock.close()
            lock = self._write_lock = WriteLock(str(name))
        return lock

    def _start_transaction_under_autocommit(self) -> None:
        lock = self._file_write_lock()
        if lock is None:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in django-stubs
            return
        lock.acquire()
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]  # not in django-stubs
        except BaseException:
            lock.release()
            raise

    def _release_write_lock(self) -> None:
        if self._write_lock is not None:
            self._write_lock.release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_write_lock()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]  # not in django-stubs
        finally:
            self._release_write_lock()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]  # not in django-stubs
        finally:
            if self._write_lock is not None:
                self._write_lock.close()
