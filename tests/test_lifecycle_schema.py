"""The temporary server skips Prefect's migration check only for a SQLite database at exactly the
revision recorded after a migrating start of the same Prefect version."""

from __future__ import annotations

import sqlite3

from flows import lifecycle


def _database(path, *revisions: str) -> str:  # noqa: ANN001
    with sqlite3.connect(path) as con:
        con.execute("CREATE TABLE alembic_version (version_num TEXT)")
        con.executemany("INSERT INTO alembic_version VALUES (?)", [(r,) for r in revisions])
    return str(path)


def test_the_revision_of_a_database_is_read_and_a_missing_or_unversioned_one_has_none(tmp_path):
    assert lifecycle._revision(str(tmp_path / "absent.db")) is None
    assert lifecycle._revision(_database(tmp_path / "at.db", "rev-b")) == "rev-b"
    assert lifecycle._revision(_database(tmp_path / "two.db", "rev-a", "rev-b")) is None  # branched: migrate
    sqlite3.connect(tmp_path / "empty.db").close()
    assert lifecycle._revision(str(tmp_path / "empty.db")) is None


def test_only_a_sqlite_file_is_checked():
    assert lifecycle._sqlite_path("sqlite+aiosqlite:////home/u/.prefect/prefect.db") == "/home/u/.prefect/prefect.db"
    assert lifecycle._sqlite_path("sqlite+aiosqlite:///:memory:") is None
    assert lifecycle._sqlite_path("postgresql+asyncpg://user@db/prefect") is None


def test_the_record_is_per_prefect_version_in_the_users_cache(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    record = lifecycle._schema_record("3.8.8")
    assert record.parent == tmp_path / "flarewatch"
    assert record != lifecycle._schema_record("3.9.0")
    assert lifecycle._read(record) is None
    record.parent.mkdir()
    record.write_text("rev-b\n")
    assert lifecycle._read(record) == "rev-b"
