"""The session store on both databases it runs on: SQLite in a folder and a real PostgreSQL.

Every check reads back through a second store object (its own engine and connections), as
another process would, so nothing passes on what one engine happens to cache.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
import threading
import time
import uuid

import pytest

from assistant.results import Evidence, Listed
from assistant.session import Session
from assistant.sql_sessions import SqlSessions
from retrieval.config import REPO_ROOT


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'sessions.sqlite3'}"
    return request.getfixturevalue("postgres_url")  # one server for the run; ids keep tests apart


@pytest.fixture()
def stores(url):
    """Makes stores over `url`, each with its own engine; their connections close at the end."""
    made: list[SqlSessions] = []

    def make(**options) -> SqlSessions:
        made.append(SqlSessions(url, **options))
        return made[-1]

    yield make
    for store in made:
        store._shared.engine.dispose()


@pytest.fixture()
def sid() -> str:
    return f"s-{uuid.uuid4().hex[:12]}"


def _change(store: SqlSessions, sid: str, product: str = "P1", quantity: int = 1, text: str = "hi") -> str:
    with store.transaction(sid) as opened:
        opened.session.add_to_basket(product, quantity)
        opened.session.add_turn("user", text)
        return opened.status


def test_a_change_is_committed_and_read_back_by_another_store(stores, sid):
    first, second = stores(), stores()
    with first.transaction(sid, customer_id="12347") as opened:
        opened.session.add_to_basket("85099B", 3)
        opened.session.add_turn("user", "a lunch bag")
        opened.session.add_turn("assistant", "Here are 5", [{"name": "search_products", "args": {"q": "x"}}])
        opened.session.shown = [Listed("85099B", "JUMBO BAG RED RETROSPOT", 1.95, "bags", "match",
                                       (Evidence("rules", "bought with it", confidence=0.42, rule_count=3),))]
        written = opened.session.to_dict()
    got = second.read(sid)
    assert got is not None and got.to_dict() == written
    assert got.shown == opened.session.shown  # the typed list shown, evidence and all
    assert got.customer_id == "12347" and got.basket == {"85099B": 3}
    assert sid in set(second.ids())
    with second.transaction(sid) as opened:
        assert opened.status == "resumed" and opened.session.basket == {"85099B": 3}


def test_new_resumed_and_expired(stores, sid):
    store, other = stores(ttl=0.5), stores(ttl=0.5)
    assert other.read(sid) is None
    assert _change(store, sid) == "new"
    assert _change(other, sid, quantity=2) == "resumed"
    assert store.read(sid).basket == {"P1": 3}
    time.sleep(0.7)
    assert other.read(sid) is None and sid not in set(other.ids())
    with store.transaction(sid) as opened:
        # Expired means gone: a new, empty session under the same id.
        assert opened.status == "expired"
        assert opened.session.basket == {} and opened.session.turns == []
        opened.session.add_to_basket("P2", 1)
    assert other.read(sid).basket == {"P2": 1}


def test_delete_removes_turns_and_basket(stores, sid):
    store, other = stores(), stores()
    _change(store, sid, text="remember me")
    _change(store, "bystander-" + sid)
    assert other.delete(sid) is True
    assert store.read(sid) is None and sid not in set(store.ids())
    with store.transaction(sid) as opened:
        assert opened.status == "new" and opened.session.basket == {} and opened.session.turns == []
    assert store.read("bystander-" + sid).basket == {"P1": 1}  # only that session went
    assert other.delete("never-" + sid) is False


def test_scopes_are_apart(stores, sid):
    shopper = stores()
    service = stores().with_scope("service")
    _change(shopper, sid, product="SHOPPER", quantity=2)
    assert service.read(sid) is None and sid not in set(service.ids())
    with service.transaction(sid) as opened:
        assert opened.status == "new" and opened.session.basket == {}
        opened.session.add_to_basket("SERVICE", 1)
    assert service.delete(sid) is True  # the service's own session, not the shopper's
    assert shopper.read(sid).basket == {"SHOPPER": 2}
    assert service.delete(sid) is False and service.read(sid) is None


def test_an_exception_inside_a_transaction_stores_nothing(stores, sid):
    store, other = stores(), stores()
    _change(store, sid)
    with pytest.raises(RuntimeError, match="tool failed"), store.transaction(sid) as opened:
        opened.session.add_to_basket("P2", 5)
        opened.session.add_turn("user", "lost")
        raise RuntimeError("tool failed")
    got = other.read(sid)
    assert got.basket == {"P1": 1} and [t.text for t in got.turns] == ["hi"]
    with pytest.raises(RuntimeError), store.transaction("fresh-" + sid) as opened:
        opened.session.add_to_basket("P3", 1)
        raise RuntimeError("before the first commit")
    assert other.read("fresh-" + sid) is None
    assert _change(store, sid, product="P4") == "resumed"  # the lock was let go


@pytest.mark.parametrize("same_store", [True, False], ids=["one store", "two stores"])
def test_two_threads_on_one_session_never_interleave(stores, sid, same_store):
    """One store: the in-process lock queues them; two stores (two engines): the database's lock."""
    a = stores()
    b = a if same_store else stores()
    _change(a, sid, product="START")
    inside, times = threading.Event(), {}

    def first():
        with a.transaction(sid) as opened:
            inside.set()
            opened.session.add_to_basket("A", 1)
            opened.session.add_turn("user", "from A")
            time.sleep(0.4)
            times["a_done"] = time.monotonic()

    def second():
        inside.wait(5)
        asked = time.monotonic()
        with b.transaction(sid) as opened:
            times["b_in"], times["b_waited"] = time.monotonic(), time.monotonic() - asked
            # It must see A's change: it was loaded after A committed, not before.
            times["b_saw"] = dict(opened.session.basket)
            opened.session.add_to_basket("B", 1)
            opened.session.add_turn("user", "from B")

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert times["b_in"] >= times["a_done"] and times["b_waited"] > 0.2, times
    assert times["b_saw"] == {"START": 1, "A": 1}
    got = stores().read(sid)
    assert got.basket == {"START": 1, "A": 1, "B": 1}
    assert [t.text for t in got.turns] == ["hi", "from A", "from B"]


# Each child does N read-modify-writes of one basket line; a pause between the read and the
# write leaves the other process every chance to slip in if the lock did not hold.
CHILD = textwrap.dedent("""
    import sys, time
    from assistant.sql_sessions import SqlSessions
    url, sid, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
    store = SqlSessions(url)
    print("ready", flush=True)
    sys.stdin.readline()  # both start together
    began = time.time()
    for _ in range(n):
        with store.transaction(sid) as opened:
            quantity = opened.session.basket.get("LINE", 0)
            time.sleep(0.003)
            opened.session.basket["LINE"] = quantity + 1
    print(began, time.time(), flush=True)
""")


def test_two_processes_lose_no_update(stores, url, sid):
    n = 30
    store = stores()  # makes the table, so the children do not race to create it
    with store.transaction(sid) as opened:
        opened.session.add_turn("user", "start")
    children = [subprocess.Popen([sys.executable, "-c", CHILD, url, sid, str(n)], cwd=REPO_ROOT, text=True,
                                 stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for _ in range(2)]
    try:
        for child in children:
            assert child.stdout.readline().strip() == "ready", child.stderr.read()
        for child in children:
            child.stdin.write("go\n")
            child.stdin.flush()
        spans = []
        for child in children:
            out, err = child.communicate(timeout=60)
            assert child.returncode == 0, err[-2000:]
            spans.append(tuple(map(float, out.split())))
    finally:
        for child in children:
            if child.poll() is None:
                child.kill()
    (a0, a1), (b0, b1) = spans
    assert a0 < b1 and b0 < a1, f"the two processes did not overlap: {spans}"
    got = stores().read(sid)
    assert got.basket == {"LINE": 2 * n}
    assert [t.text for t in got.turns] == ["start"]


def test_a_session_round_trips_as_json_exactly(stores, sid):
    session = Session(sid, customer_id="c1", basket={"Ä-1": 2}, focus={"product_id": "Ä-1"},
                      known={"Ä-1": "ÉCRU TEA SET “deluxe”"}, last_search={"query": "tea", "max_price": 5.0})
    session.add_turn("user", "tea ☕")
    store = stores()
    with store.transaction(sid) as opened:
        opened.session.__dict__.update(session.__dict__)
    assert stores().read(sid).to_dict() == session.to_dict()
