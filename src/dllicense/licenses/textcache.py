"""On-disk cache of licence-text identifications (SQLite, one file per user).

The cache lives in ``$XDG_CACHE_HOME/dllicense`` (default ``~/.cache/dllicense``)
unless a ``cache_dir`` is given. It has one table per kind of answer: ``textid``
(licence identifications) and ``holders`` (copyright holders, schema 2; a table
older versions never read). Rows are keyed by ``(key, engine)``: ``key`` is
the sha256 of the *normalised* text (see ``dllicense.licenses.textid.text_key``)
and ``engine`` names the engine and the post-processing version, so that an
upgrade of either never serves stale answers. Values are JSON strings.

The cache is an optimisation only: every failure (read-only directory, locked
or corrupt database) is logged and degrades to "no cache", never to a crash.
Concurrent processes are fine: the database runs in WAL mode with a busy
timeout, and writes are retried a few times when the database is locked.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TypeVar

from dllicense.paths import default_cache_dir

_T = TypeVar("_T")

logger = logging.getLogger(__name__)

DB_FILENAME = "textid.sqlite3"
SCHEMA_VERSION = "2"  # 2: the holders table
TABLES = ("textid", "holders")
_BUSY_TIMEOUT_MS = 10_000
_WRITE_RETRIES = 5
_SQLITE_VARS = 500  # keys per SELECT ... IN (...), below SQLite's variable limit

_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (k TEXT PRIMARY KEY, v TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS textid (
    key TEXT NOT NULL,
    engine TEXT NOT NULL,
    value TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (key, engine)
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS holders (
    key TEXT NOT NULL,
    engine TEXT NOT NULL,
    value TEXT NOT NULL,
    created REAL NOT NULL,
    PRIMARY KEY (key, engine)
) WITHOUT ROWID;
"""


def db_path(cache_dir: Path | None = None) -> Path:
    """Return the path of the cache database for ``cache_dir`` (or the default dir)."""
    return (cache_dir if cache_dir is not None else default_cache_dir()) / DB_FILENAME


def _sidecars(path: Path) -> list[Path]:
    return [path, path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")]


def _is_corruption(exc: sqlite3.DatabaseError) -> bool:
    """True for errors that mean the file is not a usable database (not for a lock)."""
    if isinstance(exc, sqlite3.OperationalError):
        msg = str(exc).lower()
        return "malformed" in msg or "not a database" in msg or "disk image" in msg
    return True  # DatabaseError proper: "file is not a database", "malformed", ...


def _is_locked(exc: sqlite3.DatabaseError) -> bool:
    msg = str(exc).lower()
    return isinstance(exc, sqlite3.OperationalError) and ("locked" in msg or "busy" in msg)


class TextCache:
    """A handle on one table of the cache database; cheap to create, opens the file lazily."""

    def __init__(self, cache_dir: Path | None = None, table: str = "textid") -> None:
        if table not in TABLES:
            raise ValueError(f"unknown cache table {table!r}")
        self.table = table
        self.path = db_path(cache_dir)
        self._conn: sqlite3.Connection | None = None
        self._disabled = False

    # -- connection management -------------------------------------------------

    def _open(self) -> sqlite3.Connection | None:
        if self._conn is not None or self._disabled:
            return self._conn
        try:
            self._conn = self._connect()
        except sqlite3.DatabaseError as exc:
            if _is_locked(exc):
                logger.warning("licence-text cache %s is busy: %s", self.path, exc)
                return None
            if not _is_corruption(exc):
                self._disable(f"cannot open licence-text cache {self.path}: {exc}")
                return None
            self._recreate(exc)
        except OSError as exc:
            self._disable(f"cannot create licence-text cache in {self.path.parent}: {exc}")
        return self._conn

    def _connect(self) -> sqlite3.Connection:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        conn = sqlite3.connect(self.path, timeout=_BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        try:
            conn.execute(f"PRAGMA busy_timeout={_BUSY_TIMEOUT_MS}")
            with contextlib.suppress(sqlite3.OperationalError):  # e.g. on a network FS
                conn.execute("PRAGMA journal_mode=WAL")
            conn.executescript(_SCHEMA)
            conn.execute(
                "INSERT OR REPLACE INTO meta (k, v) VALUES ('schema', ?)", (SCHEMA_VERSION,)
            )
            # Touch the main table so that a corrupt file fails here, not later.
            conn.execute("SELECT count(*) FROM textid").fetchone()
        except BaseException:
            conn.close()
            raise
        return conn

    def _recreate(self, exc: BaseException) -> None:
        """Replace a corrupt database by an empty one (logged), or disable the cache."""
        logger.warning("licence-text cache %s is corrupt (%s); recreating it empty", self.path, exc)
        self.close()
        try:
            for p in _sidecars(self.path):
                p.unlink(missing_ok=True)
            self._conn = self._connect()
        except (sqlite3.Error, OSError) as exc2:
            self._disable(f"cannot recreate licence-text cache {self.path}: {exc2}")

    def _disable(self, message: str) -> None:
        logger.warning("%s; continuing without a cache", message)
        self.close()
        self._disabled = True

    def close(self) -> None:
        """Close the connection (the handle reopens on next use unless disabled)."""
        if self._conn is not None:
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._conn = None

    @property
    def disabled(self) -> bool:
        """True once the cache gave up (unwritable directory, unrecoverable file)."""
        return self._disabled

    def _run(self, what: str, fn: Callable[[sqlite3.Connection], _T]) -> _T | None:
        """Run ``fn(conn)``; retry on lock, recreate on corruption, never raise."""
        for attempt in range(_WRITE_RETRIES):
            conn = self._open()
            if conn is None:
                return None
            try:
                return fn(conn)
            except sqlite3.OperationalError as exc:
                if _is_corruption(exc):
                    self._recreate(exc)
                    continue
                if _is_locked(exc):
                    time.sleep(0.05 * (attempt + 1))
                    continue
                logger.warning("licence-text cache %s: %s failed: %s", self.path, what, exc)
                return None
            except sqlite3.DatabaseError as exc:
                self._recreate(exc)
        logger.warning("licence-text cache %s: %s gave up after retries", self.path, what)
        return None

    # -- data ------------------------------------------------------------------

    def get_many(self, keys: Iterable[str], engine: str | None) -> dict[str, str]:
        """Return ``{key: value}`` for the cached keys.

        With ``engine`` None (no engine installed), accept the newest entry of any
        engine: an answer from another engine version beats no answer.
        """
        wanted = sorted(set(keys))
        if not wanted:
            return {}

        def op(conn: sqlite3.Connection) -> dict[str, str]:
            found: dict[str, str] = {}
            for chunk in _chunks(wanted, _SQLITE_VARS):
                marks = ",".join("?" * len(chunk))
                if engine is not None:
                    rows = conn.execute(
                        f"SELECT key, value FROM {self.table}"
                        f" WHERE engine = ? AND key IN ({marks})",
                        (engine, *chunk),
                    ).fetchall()
                else:
                    rows = conn.execute(
                        f"SELECT key, value FROM {self.table} WHERE key IN ({marks})"
                        " ORDER BY created",
                        chunk,
                    ).fetchall()
                for key, value in rows:
                    found[str(key)] = str(value)
            return found

        result = self._run("read", op)
        return result if result is not None else {}

    def put_many(self, items: Sequence[tuple[str, str]], engine: str) -> int:
        """Store ``(key, value)`` pairs for ``engine``; return how many were written."""
        if not items:
            return 0
        now = time.time()
        rows = [(key, engine, value, now) for key, value in items]

        def op(conn: sqlite3.Connection) -> int:
            with _transaction(conn):
                conn.executemany(
                    f"INSERT OR REPLACE INTO {self.table} (key, engine, value, created)"
                    " VALUES (?, ?, ?, ?)",
                    rows,
                )
            return len(rows)

        result = self._run("write", op)
        return result if result is not None else 0

    def count(self) -> dict[str, int]:
        """Return ``{engine: number of entries}`` over every table (engines name their kind:
        "... textid/2", "... holders/1")."""

        def op(conn: sqlite3.Connection) -> dict[str, int]:
            found: dict[str, int] = {}
            for table in TABLES:
                rows = conn.execute(
                    f"SELECT engine, count(*) FROM {table} GROUP BY engine"
                ).fetchall()
                for e, n in rows:
                    found[str(e)] = found.get(str(e), 0) + int(n)
            return dict(sorted(found.items()))

        result = self._run("count", op)
        return result if result is not None else {}

    def clear(self) -> int:
        """Delete every entry of every table; return how many there were."""

        def op(conn: sqlite3.Connection) -> int:
            n = 0
            with _transaction(conn):
                for table in TABLES:
                    n += int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
                    conn.execute(f"DELETE FROM {table}")
            with contextlib.suppress(sqlite3.OperationalError):  # busy elsewhere: fine
                conn.execute("VACUUM")
            return n

        result = self._run("clear", op)
        return result if result is not None else 0


@contextlib.contextmanager
def _transaction(conn: sqlite3.Connection) -> Iterator[None]:
    conn.execute("BEGIN IMMEDIATE")
    try:
        yield
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    conn.execute("COMMIT")


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def cache_info(cache_dir: Path | None = None) -> dict[str, object]:
    """Describe the cache for ``dllicense cache info``.

    Keys: ``path`` (str), ``exists`` (bool), ``entries`` (int),
    ``size`` (bytes, database plus WAL files), ``engines`` ({engine: entries}).
    Does not create the database when it does not exist.
    """
    path = db_path(cache_dir)
    exists = path.exists()
    engines: dict[str, int] = {}
    if exists:
        cache = TextCache(cache_dir)
        try:
            engines = cache.count()
        finally:
            cache.close()
    size = sum(p.stat().st_size for p in _sidecars(path) if p.exists())
    return {
        "path": str(path),
        "exists": exists,
        "entries": sum(engines.values()),
        "size": size,
        "engines": engines,
    }


def cache_clear(cache_dir: Path | None = None) -> int:
    """Empty the cache for ``dllicense cache clear``; return the number of entries removed."""
    path = db_path(cache_dir)
    if not path.exists():
        return 0
    cache = TextCache(cache_dir)
    try:
        return cache.clear()
    finally:
        cache.close()
