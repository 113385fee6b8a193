"""A write that finds the store held by another write waits a bounded time, then is refused in words."""

from __future__ import annotations

import os
import sqlite3

import pytest
from sqlalchemy import create_engine, text

from dashboard.intake.indicator_values import read_upload
from dashboard.store import Store, StoreError, migrate
from dashboard.store import store as store_module

FILE = "区县,指标,年份,数值\n万州区,W04,2024,90\n".encode()


def _refused_in_words(exc: StoreError) -> None:
    assert exc.problem.message_id.value == "STORE_BUSY"
    assert "1 秒" in exc.problem.message_zh and "nothing of yours was stored" in exc.problem.message_en


def test_sqlite_a_held_store_refuses_in_words_and_stores_nothing(tmp_path, rules, monkeypatch):
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 1)
    path = tmp_path / "busy.db"
    store = Store(f"sqlite:///{path}")  # a new file: its engine takes the short wait
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another process storing a file
    try:
        with pytest.raises(StoreError) as caught:
            store.commit(read_upload(FILE, "v.csv", rules), "editor")
        _refused_in_words(caught.value)
    finally:
        holder.execute("ROLLBACK")
        holder.close()
    assert store.current_values().empty and store.batches().empty
    store.commit(read_upload(FILE, "v.csv", rules), "editor")  # once free, the same file goes in
    assert len(store.current_values()) == 1
    store.dispose()


@pytest.mark.postgres
@pytest.mark.skipif(
    not os.environ.get("DASHBOARD_TEST_PG_URL"), reason="PostgreSQL: set DASHBOARD_TEST_PG_URL (.ci/run does)"
)
def test_postgresql_a_held_store_refuses_in_words_and_stores_nothing(rules, monkeypatch):
    store = Store(os.environ["DASHBOARD_TEST_PG_URL"])
    store.clear()
    monkeypatch.setattr(store_module, "BUSY_SECONDS", 1)
    holder = create_engine(store.url)
    try:
        with holder.connect() as conn, conn.begin():
            conn.execute(text(f"SELECT pg_advisory_xact_lock({migrate.WRITE_LOCK})"))  # another write
            with pytest.raises(StoreError) as caught:
                store.commit(read_upload(FILE, "v.csv", rules), "editor")
            _refused_in_words(caught.value)
        assert store.current_values().empty
        store.commit(read_upload(FILE, "v.csv", rules), "editor")
        assert len(store.current_values()) == 1
    finally:
        holder.dispose()
        store.clear()
        store.dispose()
