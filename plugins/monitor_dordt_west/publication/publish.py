"""Publishing a quarter for the stuurgroepen: :func:`publish`, the entry point of the CLI
(``mdw publish``), the Airflow tasks and the tests.

For each pillar: the content (:func:`.assembly.build_quarter`, after disclosure control), then
against the register's latest version of the quarter (:mod:`.register`):

- the same content checksum reproduces that version: the files are rendered again and checked
  byte for byte against the register's, whose frozen files stay and are put back on disk;
- other numbers (a correction delivery) make the next version, listing the cells that changed.

:func:`render` writes a version's four files: the workbook (:mod:`.excel`), the report
(:mod:`.pdf`) and the analysts' CSV and Parquet (:mod:`.tables`).
"""

from __future__ import annotations

import logging
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from monitor_dordt_west.publication import excel, pdf, queries, register, tables
from monitor_dordt_west.publication.assembly import build_quarter
from monitor_dordt_west.publication.content import PILLARS, CellChange, PillarContent, Publication, from_record, record
from monitor_dordt_west.publication.queries import Row
from monitor_dordt_west.quarters import Quarter
from monitor_dordt_west.warehouse import builds
from monitor_dordt_west.warehouse.connection import PgTarget, as_role, connect
from monitor_dordt_west.warehouse.credentials import PUBLISHER

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class PublishResult:
    quarter: str
    pillar: str
    version: int
    status: str  # nieuw, nieuwe versie, gereproduceerd
    checksum: str
    files: dict[str, Path]
    file_checksums: dict[str, str]
    changes: list[dict]  # as the register's ``wijzigingen``: indicator, area, period, was, nu
    suppressed: int
    cells: int

    def summary(self) -> dict[str, Any]:
        return {
            "kwartaal": self.quarter,
            "pijler": self.pillar,
            "versie": self.version,
            "status": self.status,
            "bestanden": {f: str(p) for f, p in self.files.items()},
            "gewijzigde_cellen": len(self.changes),
            "onderdrukt": self.suppressed,
        }


def publish(
    tgt: PgTarget,
    quarter: Quarter,
    pillars: list[str] | None = None,
    out_root: Path | None = None,
    created_by: str | None = None,
) -> list[PublishResult]:
    """Publish (or reproduce) the quarter for the given pillars (default: all five). The content
    is built again for each pillar, so that it sees the cells the previous pillar registered.

    Refuses (:class:`~monitor_dordt_west.warehouse.builds.NotPublishable`, a Dutch message) while
    the last build of the warehouse failed or the marts are older than the newest loaded delivery."""
    tgt = as_role(tgt, PUBLISHER)
    builds.check_publishable(tgt)
    register.ensure_register(tgt)
    out_root = out_root or register.publications_dir()
    results = []
    for pillar in pillars or PILLARS:
        with connect(tgt) as conn:
            # one publisher per quarter at a time: versions and disclosure memory stay consistent
            conn.execute("SELECT pg_advisory_xact_lock(hashtext('mdw_meta.publicatie'), hashtext(%s))", (quarter.code,))
            content = build_quarter(tgt, quarter).for_pillar(pillar)
            results.append(_publish_pillar(conn, content, out_root, created_by))
    return results


def render(publication: Publication, out_dir: Path) -> dict[str, Path]:
    """Write the four files of a publication into ``out_dir``."""
    out_dir.mkdir(parents=True, exist_ok=True)
    stem = publication.file_stem()
    files = {f: out_dir / f"{stem}.{f}" for f in register.FORMATS}
    excel.write(publication, files["xlsx"])
    pdf.write(publication, files["pdf"])
    tables.write(publication, files["csv"], files["parquet"])
    return files


def _publish_pillar(conn, content: PillarContent, out_root: Path, created_by: str | None) -> PublishResult:
    checksum = content.checksum()
    latest = queries.latest_version(conn, content.quarter, content.pillar)
    if latest is not None and latest["inhoud_sha256"] == checksum:
        return _reproduce(conn, content, latest, out_root)
    return _new_version(conn, content, checksum, latest, out_root, created_by)


def _new_version(
    conn, content: PillarContent, checksum: str, latest: Row | None, out_root: Path, created_by: str | None
) -> PublishResult:
    """The next version (1 for the first), with the cells that changed against the latest."""
    publication = Publication(
        content=content,
        version=(latest["versie"] + 1) if latest else 1,
        created=datetime.now(UTC).replace(microsecond=0),
        version_changes=register.version_changes(conn, latest, content.series) if latest else (),
    )
    with tempfile.TemporaryDirectory(prefix="mdw-publicatie-") as tmp:
        files = render(publication, Path(tmp))
        sums = {f: register.sha256_of(p) for f, p in files.items()}
        register.record_version(conn, publication, checksum, latest, files, sums, created_by)
        final = register.place_files(files, register.version_dir(out_root, publication))
    conn.commit()
    status = "nieuw" if latest is None else "nieuwe versie"
    changes = [record(c) for c in publication.version_changes]
    log.info(
        "%s %s: versie %s (%s), %s cellen, %s onderdrukt, %s gewijzigd",
        content.quarter.code, content.pillar, publication.version, status, len(content.series),
        content.suppressed, len(changes),
    )  # fmt: skip
    return PublishResult(
        quarter=content.quarter.code,
        pillar=content.pillar,
        version=publication.version,
        status=status,
        checksum=checksum,
        files=final,
        file_checksums=sums,
        changes=changes,
        suppressed=content.suppressed,
        cells=len(content.series),
    )


def _reproduce(conn, content: PillarContent, latest: Row, out_root: Path) -> PublishResult:
    """The numbers are those of the latest version: render again and check the files are
    byte-identical to the register's; restore any file missing on disk from the register."""
    stored = queries.version_files(conn, latest["publicatie_id"])
    publication = Publication(
        content=content,
        version=latest["versie"],
        created=latest["aangemaakt_op"].astimezone(UTC),
        version_changes=tuple(from_record(CellChange, c) for c in latest["wijzigingen"] or []),
    )
    with tempfile.TemporaryDirectory(prefix="mdw-publicatie-") as tmp:
        files = render(publication, Path(tmp))
        sums = {f: register.sha256_of(p) for f, p in files.items()}
    differing = register.differing_files(stored, sums)
    if differing:
        # Same numbers, other bytes: the layout code changed since this version was frozen. The
        # register's files are what was sent; they stay, and are put back on disk below.
        log.warning(
            "%s %s v%s: dezelfde cijfers; de bestanden %s zouden nu anders worden opgemaakt. "
            "De bevroren bestanden uit mdw_meta.publicatie_bestand blijven gelden.",
            content.quarter.code, content.pillar, publication.version, ", ".join(differing),
        )  # fmt: skip
    final = register.restore_files(stored, register.version_dir(out_root, publication))
    conn.commit()
    return PublishResult(
        quarter=content.quarter.code,
        pillar=content.pillar,
        version=publication.version,
        status="gereproduceerd" if not differing else "gereproduceerd (bevroren bestanden; opmaak sindsdien gewijzigd)",
        checksum=latest["inhoud_sha256"],
        files=final,
        file_checksums={f: r["sha256"].strip() for f, r in stored.items()},
        changes=[],
        suppressed=latest["onderdrukt"],
        cells=latest["cellen"],
    )
