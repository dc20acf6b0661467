"""The load ledger's transition table on a real warehouse: every allowed transition works through its
function, every other one is refused and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor_dordt_west.ingestion import ledger, registry
from monitor_dordt_west.ingestion.ledger import TRANSITIONS, Status
from monitor_dordt_west.warehouse.connection import connect

DS = next(d for d in registry.DATASETS if d.id == "politie.misdrijven")
FILE = "POL_misdrijven_202401.csv"


def register(conn) -> int:
    return ledger.register(conn, "politie", DS, DS.match(FILE), FILE, "0" * 64, 10, None)


# the one function of each transition, by the state it leads to (register: a new row in ``loading``)
MOVES = {
    Status.LOADED: lambda conn, d: ledger.mark_loaded(conn, d, 3, Path("/archief/x"), "a" * 64),
    Status.SUPERSEDED: lambda conn, d: ledger.supersede(conn, d, register(conn)),
    Status.QUARANTINED: lambda conn, d: ledger.quarantine(conn, d, "geweigerd", Path("/quarantaine/x")),
    Status.HELD: lambda conn, d: ledger.hold(conn, d, "aangehouden", Path("/quarantaine/x")),
    Status.RELEASED: lambda conn, d: ledger.release(conn, d, "beheerder"),
    Status.ABORTED: lambda conn, d: ledger.abort(conn, d, "infrastructuur: test"),
}


def path_to(state: Status) -> list[Status]:
    """The states from ``loading`` to ``state`` along allowed transitions (shortest)."""
    paths = {Status.LOADING: [Status.LOADING]}
    while state not in paths:
        paths |= {t: [*paths[s], t] for s, t in TRANSITIONS if s in paths and t not in paths}
    return paths[state]


def in_state(conn, state: Status) -> int:
    delivery_id = register(conn)
    for step in path_to(state)[1:]:
        MOVES[step](conn, delivery_id)
    return delivery_id


def row(conn, delivery_id: int):
    return conn.execute("SELECT * FROM mdw_meta.load_ledger WHERE delivery_id = %s", (delivery_id,)).fetchone()


def test_the_table_names_every_state_and_each_target_has_one_function(fresh_db):
    assert {t for _, t in TRANSITIONS} == set(Status)  # every state can be reached
    assert {t for s, t in TRANSITIONS if s is not None} == set(MOVES)
    assert [(s, t) for s, t in TRANSITIONS if s is None] == [(None, Status.LOADING)]  # register only
    with connect(fresh_db) as conn:  # the states are those the warehouse accepts
        check = conn.execute(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = 'load_ledger_status_check'"
        ).fetchone()[0]
    assert all(f"'{s}'" in check for s in Status) and check.count("'") == 2 * len(Status)


def test_every_allowed_transition_works(fresh_db):
    with connect(fresh_db) as conn:
        assert ledger.get(conn, register(conn)).status == Status.LOADING
        for source, target in sorted(t for t in TRANSITIONS if t[0] is not None):
            delivery_id = in_state(conn, source)
            MOVES[target](conn, delivery_id)
            assert ledger.get(conn, delivery_id).status == target, (source, target)
        conn.commit()
        entry = ledger.get(conn, in_state(conn, Status.RELEASED))
        assert entry.reason.startswith("aangehouden\nVrijgegeven door beheerder op ")


def test_every_other_transition_is_refused_and_changes_nothing(fresh_db):
    forbidden = [(s, t) for s in Status for t in MOVES if (s, t) not in TRANSITIONS]
    assert len(forbidden) == len(Status) * len(MOVES) - len(TRANSITIONS) + 1  # all but the allowed ones
    with connect(fresh_db) as conn:
        for source, target in forbidden:
            delivery_id = in_state(conn, source)
            before = row(conn, delivery_id)
            with pytest.raises(ledger.TransitionRefused, match=f"levering {delivery_id} is "):
                MOVES[target](conn, delivery_id)
            assert row(conn, delivery_id) == before, (source, target)
        with pytest.raises(ledger.TransitionRefused, match="levering 999999 bestaat niet"):
            ledger.release(conn, 999999, "beheerder")
        loaded = in_state(conn, Status.LOADED)
        with pytest.raises(ValueError, match=f"^levering {loaded} is actief, niet aangehouden$"):
            ledger.release(conn, loaded, "beheerder")  # what `mdw release` says


def test_interrupted_loads_of_a_dataset_are_aborted(fresh_db):
    with connect(fresh_db) as conn:
        interrupted = [in_state(conn, Status.LOADING), in_state(conn, Status.LOADING)]
        loaded = in_state(conn, Status.LOADED)
        other_ds = next(d for d in registry.DATASETS if d is not DS)
        other = ledger.register(conn, other_ds.partner, other_ds, None, "x.csv", None, 0, None)
        assert ledger.abort_interrupted(conn, DS) == interrupted
        entries = [ledger.get(conn, d) for d in interrupted]
        assert [(e.status, e.reason) for e in entries] == [(Status.ABORTED, ledger.INTERRUPTED)] * 2
        assert ledger.get(conn, loaded).status == Status.LOADED
        assert ledger.get(conn, other).status == Status.LOADING  # another dataset's load: not this lock's
