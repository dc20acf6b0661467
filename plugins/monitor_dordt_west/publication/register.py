"""The publication register (``mdw_meta.publicatie*``): versions, their files and cells.

A version is frozen as it was sent: its row in ``mdw_meta.publicatie`` (quarter, pillar, version,
creation time, content checksum, the cells that changed against the previous version),
every cell in ``mdw_meta.publicatie_cel`` (value or suppressed, with kind and reason, and its
keyed fingerprint: the memory of disclosure control) and every file in
``mdw_meta.publicatie_bestand`` (name, size, SHA-256, the bytes). On disk a version lives in
``<publications>/<kwartaal>/<pijler-slug>/v<versie>/``.

- :func:`ensure_register` — the register exists; fingerprints from before they were keyed are keyed;
- :func:`version_changes` — change detection against the register: the cells a new version shows
  otherwise than the latest one;
- :func:`record_version`, :func:`place_files` — a new version in the register and on disk;
- :func:`differing_files`, :func:`restore_files` — a reproduction checked against the frozen
  files, which are put back on disk.

The reads are in :mod:`.queries`.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
from pathlib import Path

from monitor_dordt_west import config
from monitor_dordt_west.publication import disclosure, queries
from monitor_dordt_west.publication.content import ABSENT, CellChange, Figure, Publication, SeriesCell, record
from monitor_dordt_west.publication.queries import Row
from monitor_dordt_west.warehouse.connection import PgTarget, connect

log = logging.getLogger(__name__)

FORMATS = ("xlsx", "pdf", "csv", "parquet")


def publications_dir() -> Path:
    return config.paths().publications


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def ensure_register(tgt: PgTarget) -> None:
    """The register exists (``mdw migrate``); fingerprints written before they were keyed
    (``value|numerator|...`` in plain text: a suppressed value could be read from them) are keyed."""
    with connect(tgt) as conn:
        if conn.execute("SELECT to_regclass('mdw_meta.publicatie_cel')").fetchone()[0] is None:
            raise RuntimeError("het warehouse is niet gemigreerd: draai eerst `mdw migrate` (als eigenaar)")
        plain = conn.execute(
            "SELECT DISTINCT vingerafdruk FROM mdw_meta.publicatie_cel WHERE vingerafdruk !~ '^[0-9a-f]{64}$'"
        ).fetchall()
        if plain:
            with conn.cursor() as cur:
                cur.executemany(
                    "UPDATE mdw_meta.publicatie_cel SET vingerafdruk = %s WHERE vingerafdruk = %s",
                    [(disclosure.keyed_fingerprint(p), p) for (p,) in plain],
                )
            log.info("publicatieregister: %s vingerafdrukken met sleutel vastgelegd", len(plain))
        conn.commit()


def version_changes(conn, latest: Row, series: tuple[SeriesCell, ...]) -> tuple[CellChange, ...]:
    """The cells whose shown number (or mark) differs between the register's ``latest`` version
    and ``series``; a cell only one of them has is ``ontbreekt`` in the other."""
    before = {
        queries.cell_key(c): Figure(queries.num(c["waarde"]), c["onderdrukt"]).shown
        for c in queries.version_cells(conn, latest["publicatie_id"])
    }
    after = {s.key: s.figure.shown for s in series}
    out = []
    for key in sorted(set(before) | set(after)):
        was, now = before.get(key, ABSENT), after.get(key, ABSENT)
        if was != now:
            out.append(CellChange(*key, was=was, now=now))
    return tuple(out)


def record_version(
    conn,
    publication: Publication,
    checksum: str,
    previous: Row | None,
    files: dict[str, Path],
    sums: dict[str, str],
    created_by: str | None,
) -> int:
    """Insert a new version, its cells and its files (in the caller's transaction); its id."""
    content = publication.content
    pub_id = conn.execute(
        """
        insert into mdw_meta.publicatie (kwartaal, pijler, versie, aangemaakt_op, inhoud_sha256, vorige_versie,
            wijzigingen, cellen, onderdrukt, leveringen, waarschuwingen, aangemaakt_door)
        values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s) returning publicatie_id
        """,
        (
            content.quarter.code,
            content.pillar,
            publication.version,
            publication.created,
            checksum,
            previous["publicatie_id"] if previous else None,
            json.dumps([record(c) for c in publication.version_changes], default=str),
            len(content.series),
            content.suppressed,
            list(content.deliveries),
            list(content.warnings),
            created_by,
        ),
    ).fetchone()[0]
    with conn.cursor() as cur:
        cur.executemany(
            """
            insert into mdw_meta.publicatie_cel (publicatie_id, indicator_code, gebiedscode, periode_code, rol,
                waarde, teller, onderdrukt, soort_onderdrukking, reden, vingerafdruk)
            values (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)
            """,
            [
                (
                    pub_id,
                    s.indicator,
                    s.area,
                    s.period,
                    s.role,
                    s.value,
                    s.numerator,
                    s.suppressed,
                    s.suppression_kind,
                    s.suppression_reason,
                    s.fingerprint,
                )
                for s in content.series
            ],
        )
        cur.executemany(
            "insert into mdw_meta.publicatie_bestand values (%s, %s, %s, %s, %s, %s)",
            [(pub_id, f, p.name, p.stat().st_size, sums[f], p.read_bytes()) for f, p in files.items()],
        )
    return pub_id


def version_dir(out_root: Path, publication: Publication) -> Path:
    c = publication.content
    return out_root / c.quarter.code / c.slug / f"v{publication.version}"


def place_files(files: dict[str, Path], folder: Path) -> dict[str, Path]:
    """Copy a new version's files into its folder (made anew); where they are."""
    if folder.exists():
        shutil.rmtree(folder)  # left by a run whose register transaction did not commit
    folder.mkdir(parents=True)
    final = {}
    for f, p in files.items():
        final[f] = folder / p.name
        shutil.copyfile(p, final[f])
    _readable(folder)
    return final


def differing_files(stored: dict[str, Row], sums: dict[str, str]) -> list[str]:
    """The formats whose file, rendered again (``sums``), is not the register's byte for byte."""
    return [f for f in FORMATS if stored.get(f) is None or stored[f]["sha256"].strip() != sums[f]]


def restore_files(stored: dict[str, Row], folder: Path) -> dict[str, Path]:
    """Put the register's frozen files of a version on disk where missing or changed; where they are."""
    folder.mkdir(parents=True, exist_ok=True)
    final = {}
    for f, r in stored.items():
        final[f] = folder / r["bestandsnaam"]
        if not final[f].exists() or sha256_of(final[f]) != r["sha256"].strip():
            final[f].write_bytes(bytes(r["inhoud"]))
    _readable(folder)
    return final


def _readable(folder: Path) -> None:
    """A publication is made to be sent (disclosure control is done): its files 0644 and its folders
    0755 up to the publications folder, whatever the umask of the process (Airflow's is 077)."""
    for p in folder.iterdir():
        p.chmod(0o644)
    folder.chmod(0o755)
    root = publications_dir().resolve()
    parent = folder.resolve().parent
    while parent != root and root in parent.parents:
        parent.chmod(0o755)
        parent = parent.parent
