"""The raw tables and the load's work table: the tables themselves (``ensure_schema``), the COPY of
a delivery into ``loading.<dataset>__d<id>`` with its typed columns, COPY errors as messages, the
swap of the checked work table into place as the delivery's partition, and what interrupted loads
left (``clean_up_aborted_loads``, ``sweep_leftovers``).

Raw tables are partitioned by ``_delivery_id`` (one partition per delivery), so a correction
replaces exactly the rows of the delivery it corrects, and every raw row names its delivery.
"""

from __future__ import annotations

import hashlib
import logging
import re
from pathlib import Path

from psycopg import sql

from monitor_dordt_west.ingestion import ledger, readers, registry, storage
from monitor_dordt_west.ingestion.errors import InfrastructureError
from monitor_dordt_west.ingestion.key_rotation import check_chain
from monitor_dordt_west.ingestion.registry import Dataset, Period
from monitor_dordt_west.warehouse import credentials
from monitor_dordt_west.warehouse.connection import PgTarget, as_role, connect

log = logging.getLogger(__name__)


def ensure_schema(tgt: PgTarget) -> None:
    """Create (idempotently) every raw table of the registry, as the loader (its owner). The ledger,
    the raw schemas and the grants are the owner's migration (``mdw migrate``, ``migration.migrate``)."""
    tgt = as_role(tgt, credentials.LOADER)
    with connect(tgt) as conn:
        conn.execute("SELECT pg_advisory_xact_lock(hashtext('mdw_meta.ensure_schema'))")
        require_migrated(conn)
        for ds in registry.DATASETS:
            cols: list[sql.Composable] = [sql.SQL("_delivery_id bigint NOT NULL"), sql.SQL("_line integer NOT NULL")]
            cols += [
                sql.SQL("{} {}").format(sql.Identifier(c.name), sql.SQL(c.column_type.pg_type)) for c in ds.columns
            ]
            cols.append(sql.SQL("_loaded_at timestamptz NOT NULL"))
            conn.execute(
                sql.SQL("CREATE TABLE IF NOT EXISTS {}.{} ({}) PARTITION BY LIST (_delivery_id)").format(
                    sql.Identifier(ds.raw_schema), sql.Identifier(ds.name), sql.SQL(", ").join(cols)
                )
            )
            conn.execute(
                sql.SQL("COMMENT ON TABLE {}.{} IS {}").format(
                    sql.Identifier(ds.raw_schema),
                    sql.Identifier(ds.name),
                    sql.Literal(
                        f"{ds.description} Bron: {ds.example} ({registry.PARTNERS[ds.partner]}). "
                        "Eén partitie per levering; _delivery_id verwijst naar mdw_meta.load_ledger, "
                        "_line is de regel in het geleverde bestand."
                    ),
                )
            )
        conn.commit()


def require_migrated(conn) -> None:
    """The ledger exists: otherwise the warehouse was not migrated (an operator's matter)."""
    if not ledger.exists(conn):
        raise InfrastructureError("het warehouse is niet gemigreerd: draai eerst `mdw migrate` (als eigenaar)")


def copy_into_work_table(
    conn, path: Path, ds: Dataset, offset: int, work: str, archive_copy: Path | None
) -> tuple[int, str | None]:
    """COPY the file into ``loading.<work>``: the text as delivered, its file line, and the typed
    value of every date/number column computed during the COPY (a generated column that is
    NULL when the text does not parse), so the checks and the swap never parse again."""
    if ds.pseudonymised:  # under the dataset's lock, which a key rotation takes too: the chain is still current
        check_chain(conn)
    cols = [sql.SQL("{} text").format(sql.Identifier(c.header)) for c in ds.columns]
    cols += [
        sql.SQL("{} {} GENERATED ALWAYS AS ({}) STORED").format(
            sql.Identifier(f"{c.name}__typed"),
            sql.SQL(c.column_type.pg_type),
            sql.SQL(c.column_type.parse_sql(f'"{c.header}"', ds.date_format)),
        )
        for c in ds.columns
        if c.column_type.typed
    ]
    conn.execute(
        sql.SQL("CREATE TABLE loading.{} (_line integer GENERATED ALWAYS AS IDENTITY (START WITH {}), {})").format(
            sql.Identifier(work), sql.Literal(ds.header_row + 1), sql.SQL(", ").join(cols)
        )
    )
    headers = sql.SQL(", ").join(sql.Identifier(c.header) for c in ds.columns)
    # FORCE_NULL: a quoted empty field ("", as BLIK writes every field) is empty, like an unquoted one
    copy_sql = sql.SQL(
        "COPY loading.{} ({}) FROM STDIN WITH (FORMAT csv, HEADER true, DELIMITER {}, QUOTE {}, ENCODING {}, "
        "FORCE_NULL ({}))"
    ).format(
        sql.Identifier(work),
        headers,
        sql.Literal(ds.delimiter),
        sql.Literal(ds.quote),
        sql.Literal("UTF8" if ds.pseudonymised else ds.pg_encoding),
        headers,
    )
    archive_digest = hashlib.sha256() if archive_copy else None
    with conn.cursor() as cur:
        with cur.copy(copy_sql) as copy:
            if ds.file_format == "xlsx":
                chunks = readers.xlsx_chunks(path, ds)
            elif ds.pseudonymised:
                chunks = readers.pseudonymised_chunks(path, ds, archive_copy, archive_digest)
            else:
                chunks = readers.raw_chunks(path, offset)
            for chunk in chunks:
                copy.write(chunk)
        rows = cur.rowcount
    if archive_copy is None or archive_digest is None:
        return rows, None
    if storage.sha256_of(archive_copy) != archive_digest.hexdigest():  # what is on disk is what was written
        raise InfrastructureError(f"{archive_copy}: de gepseudonimiseerde archiefkopie is niet correct weggeschreven")
    return rows, archive_digest.hexdigest()


def copy_error_message(name: str, exc: Exception) -> str:
    """A COPY error as a message; the offending value is never repeated (it may be personal data)."""
    diag = getattr(exc, "diag", None)
    primary = (diag.message_primary if diag else None) or str(exc).splitlines()[0]
    context = (diag.context if diag else "") or ""
    m = re.search(r"line (\d+)(?:, column ([^:]+))?", context)
    where = f", regel {m.group(1)}" + (f", kolom {m.group(2)}" if m.group(2) else "") if m else ""
    translations = {
        "extra data after last expected column": (
            "meer velden dan kolommen in de kopregel (scheidingsteken in een waarde zonder aanhalingstekens?)"
        ),
        "missing data for column": "minder velden dan kolommen in de kopregel",
        "unterminated CSV quoted field": (
            "veld met een openend aanhalingsteken dat niet wordt gesloten (afgebroken bestand?)"
        ),
        "invalid byte sequence for encoding": "ongeldige tekens voor de afgesproken codering",
        "has no equivalent in encoding": "teken dat niet bestaat in de afgesproken codering",
        "literal carriage return found in data": "losse CR in de gegevens (gemengde regeleinden?)",
        "literal newline found in data": "losse regelovergang in de gegevens",
    }
    text = next((nl for en, nl in translations.items() if en in primary), primary)
    if "has no equivalent" in primary or "invalid byte sequence" in primary:
        text = f"{text} ({primary.split(':')[0]})"
    return f"{name}{where}: {text}"


def clean_up_aborted_loads(conn, ds: Dataset, partner: str) -> None:
    """Loads of this dataset still marked 'loading' were interrupted (we hold the dataset's lock):
    mark them aborted and remove what they left (work table, unfinished archive copies)."""
    for delivery_id in ledger.abort_interrupted(conn, ds):
        conn.execute(sql.SQL("DROP TABLE IF EXISTS loading.{}").format(sql.Identifier(ds.partition(delivery_id))))
        storage.remove_archived(partner, delivery_id)
        log.warning("delivery %s of %s was interrupted earlier; marked aborted", delivery_id, ds.id)
    conn.commit()


def sweep_leftovers(tgt: PgTarget, partner: str) -> None:
    """What interrupted loads of a partner left: ledger rows still ``loading``, work tables in
    ``loading`` and ``*.tmp`` files in its archive and quarantine folders whose delivery is not
    loading. Only datasets whose lock is free are swept: a load that holds its dataset's lock is
    running, and its work table and ``.tmp`` are left alone. Also makes stored files 0600."""
    with connect(tgt) as conn:
        for ds in registry.datasets(partner):
            if not conn.execute("SELECT pg_try_advisory_lock(hashtext(%s))", (ds.id,)).fetchone()[0]:
                continue  # a load of this dataset is running
            try:
                clean_up_aborted_loads(conn, ds, partner)
                ids = {e.delivery_id: e.file_name for e in ledger.of_dataset(conn, ds)}
                prefix = f"{ds.name}__d"
                for (table,) in conn.execute(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'loading' AND starts_with(tablename, %s)",
                    (prefix,),
                ).fetchall():
                    number = table[len(prefix) :]
                    if number.isdigit() and int(number) in ids:
                        conn.execute(sql.SQL("DROP TABLE IF EXISTS loading.{}").format(sql.Identifier(table)))
                conn.commit()
                storage.sweep(partner, ids)
            finally:
                conn.rollback()
                conn.execute("SELECT pg_advisory_unlock(hashtext(%s))", (ds.id,))
                conn.commit()


def swap_into_place(conn, ds: Dataset, period: Period, delivery_id: int, work: str) -> list[int]:
    """Turn the checked work table into the delivery's partition and retire what it corrects.

    Metadata only, no rewrite: the typed columns stop being generated and take the raw names,
    the text they came from is dropped, the delivery id and load time are added as constant
    defaults, and the table is attached (its CHECK constraint spares PostgreSQL the scan).
    Runs in the caller's transaction together with the ledger update.
    """
    work_id = sql.Identifier("loading", work)
    part_name = ds.partition(delivery_id)
    assert work == part_name, "work table and partition share their name"
    alters: list[sql.Composable] = [sql.SQL("ALTER COLUMN _line DROP IDENTITY")]
    for c in ds.columns:
        if not c.column_type.typed and c.header != c.name:
            alters.append(sql.SQL("RENAME COLUMN {} TO {}").format(sql.Identifier(c.header), sql.Identifier(c.name)))
    for stmt in alters:
        conn.execute(sql.SQL("ALTER TABLE {} ").format(work_id) + stmt)
    for c in ds.columns:
        if c.column_type.typed:
            typed = sql.Identifier(f"{c.name}__typed")
            conn.execute(sql.SQL("ALTER TABLE {} ALTER COLUMN {} DROP EXPRESSION").format(work_id, typed))
            conn.execute(sql.SQL("ALTER TABLE {} DROP COLUMN {}").format(work_id, sql.Identifier(c.header)))
            conn.execute(
                sql.SQL("ALTER TABLE {} RENAME COLUMN {} TO {}").format(work_id, typed, sql.Identifier(c.name))
            )
    conn.execute(
        sql.SQL(
            "ALTER TABLE {} ADD COLUMN _delivery_id bigint NOT NULL DEFAULT {}, "
            "ADD COLUMN _loaded_at timestamptz NOT NULL DEFAULT now(), ADD CONSTRAINT {} CHECK (_delivery_id = {})"
        ).format(work_id, sql.Literal(delivery_id), sql.Identifier(f"{part_name}_delivery"), sql.Literal(delivery_id))
    )
    conn.execute(
        sql.SQL("ALTER TABLE {} ALTER COLUMN _delivery_id DROP DEFAULT, ALTER COLUMN _loaded_at DROP DEFAULT").format(
            work_id
        )
    )
    # the work table is named <dataset>__d<delivery>, as the partition is: moving it is enough
    conn.execute(sql.SQL("ALTER TABLE {} SET SCHEMA {}").format(work_id, sql.Identifier(ds.raw_schema)))
    part = sql.Identifier(ds.raw_schema, part_name)
    parent = sql.Identifier(ds.raw_schema, ds.name)
    conn.execute(
        sql.SQL("ALTER TABLE {} ATTACH PARTITION {} FOR VALUES IN ({})").format(parent, part, sql.Literal(delivery_id))
    )
    replaced = [e.delivery_id for e in ledger.replaced_by(conn, ds, period, delivery_id)]
    for old in replaced:
        old_part = sql.Identifier(ds.raw_schema, ds.partition(old))
        conn.execute(sql.SQL("ALTER TABLE {} DETACH PARTITION {}").format(parent, old_part))
        conn.execute(sql.SQL("DROP TABLE {}").format(old_part))
        ledger.supersede(conn, old, delivery_id)
    return replaced
