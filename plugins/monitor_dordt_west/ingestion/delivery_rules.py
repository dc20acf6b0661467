"""The delivery rules across deliveries of a dataset (README, "Delivery rules"): the order of
deliveries (a correction never replaces a later period; an older file is held), keys unique across
the active deliveries, and the plausibility of a delivery against the previous one. Each returns
the findings, Dutch messages for the partner; the caller refuses or holds the delivery."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from psycopg import sql

from monitor_dordt_west.ingestion import ledger
from monitor_dordt_west.ingestion.registry import Dataset, Period


def order_problems(conn, ds: Dataset, period: Period, mtime: float, name: str, released: bool):
    """A delivery never replaces data of a later period, and a file older than the delivery it
    would replace is held back. Returns (problems, hold)."""
    current = ledger.replaced_by(conn, ds, period)
    later = [e for e in current if e.period_end and e.period_end > period.end]
    if later:
        e = later[-1]
        return [
            f"{name}: een stand t/m {period.end:%d-%m-%Y} (periode {period.label}) vervangt niet de actieve, "
            f"latere stand t/m {e.period_end:%d-%m-%Y} (levering {e.delivery_id}, periode {e.period}); "
            "een correctie levert u als nieuwe versie van de laatste periode"
        ], False
    newer = [e for e in current if e.file_modified_at and e.file_modified_at.timestamp() > mtime]
    if newer and not released:
        e = newer[-1]
        mine = datetime.fromtimestamp(mtime, tz=UTC)
        return [
            f"{name}: aangehouden — het bestand is ouder ({_local(mine)}) dan de actieve levering "
            f"{e.delivery_id} die het zou vervangen ({_local(e.file_modified_at)}); een oudere versie "
            "vervangt een nieuwere niet vanzelf. Is dit toch de juiste versie, dan geeft een beheerder haar vrij: "
            "./mdw release <levering>"
        ], True
    return [], False


def _local(moment: datetime | None) -> str:
    if moment is None:
        return "onbekend"
    return moment.astimezone(ZoneInfo("Europe/Amsterdam")).strftime("%d-%m-%Y %H:%M:%S")


def key_conflicts(conn, ds: Dataset, period: Period, delivery_id: int, work: str, name: str) -> list[str]:
    """Keys unique across the active deliveries of a dataset (``key_scope == "dataset"``), except the
    deliveries this one replaces. Positions only: the key may identify a person."""
    if ds.key_scope != "dataset":
        return []
    replaced = {e.delivery_id for e in ledger.replaced_by(conn, ds, period)}
    others = {e.delivery_id: e.period for e in ledger.active(conn, ds) if e.delivery_id not in replaced}
    if not others:
        return []
    cols = [ds.column(h) for h in ds.key]
    on = sql.SQL(" AND ").join(
        sql.SQL("r.{} = w.{}").format(
            sql.Identifier(c.name), sql.Identifier(f"{c.name}__typed" if c.column_type.typed else c.header)
        )
        for c in cols
    )
    found = conn.execute(
        sql.SQL(
            "SELECT w._line, r._delivery_id, count(*) OVER () FROM loading.{} w JOIN {}.{} r ON {} "
            "WHERE r._delivery_id = ANY(%s) ORDER BY w._line LIMIT 5"
        ).format(sql.Identifier(work), sql.Identifier(ds.raw_schema), sql.Identifier(ds.name), on),
        (list(others),),
    ).fetchall()
    if not found:
        return []
    where = "; ".join(f"regel {line} (ook in levering {d}, periode {others[d]})" for line, d, _ in found)
    return [
        f"{name}, kolom {' + '.join(ds.key)}: {found[0][2]} regel(s) met een sleutel die al in een andere actieve "
        f"levering staat (verwacht: elke sleutel één keer in alle leveringen van {ds.example}) — {where}"
    ]


PLAUSIBILITY_MIN = 100  # the previous delivery's measure below which no comparison is made


def plausibility(conn, ds: Dataset, period: Period, delivery_id: int, work: str, rows: int, name: str) -> list[str]:
    """Compare the delivery with the previous one of the dataset (the one it replaces, else the latest
    earlier period): its measure per month may change by at most ``ds.plausibility_factor``."""
    replaced = ledger.replaced_by(conn, ds, period, delivery_id)
    earlier = [e for e in ledger.active(conn, ds) if e.period_end and e.period_end < period.start]
    reference = (
        (replaced or sorted(earlier, key=lambda e: e.period_end or date.min))[-1:] if (replaced or earlier) else []
    )
    if not reference:
        return []
    ref = reference[0]
    months_ref = _months(ds, ref.period)
    months_new = _months(ds, period.label)
    if ds.plausibility_column is None:
        what, new_value, ref_value = "regels", rows, ref.rows_loaded or 0
    else:
        col = ds.column(ds.plausibility_column)
        what = f"totaal {col.header}"
        new_value = conn.execute(
            sql.SQL("SELECT coalesce(sum({}), 0) FROM loading.{}").format(
                sql.Identifier(f"{col.name}__typed"), sql.Identifier(work)
            )
        ).fetchone()[0]
        ref_value = conn.execute(
            sql.SQL("SELECT coalesce(sum({}), 0) FROM {}.{} WHERE _delivery_id = %s").format(
                sql.Identifier(col.name), sql.Identifier(ds.raw_schema), sql.Identifier(ds.name)
            ),
            (ref.delivery_id,),
        ).fetchone()[0]
    if ref_value < PLAUSIBILITY_MIN:
        return []
    ratio = (float(new_value) / months_new) / (float(ref_value) / months_ref)
    factor = ds.plausibility_factor
    if 1 / factor <= ratio <= factor:
        return []
    return [
        f"{name}: aangehouden ter beoordeling — {what} {new_value:n} ({float(new_value) / months_new:.0f} per maand) "
        f"tegen {ref_value:n} ({float(ref_value) / months_ref:.0f} per maand) in levering {ref.delivery_id} "
        f"(periode {ref.period}); dat is meer dan een factor {factor:g} verschil. Klopt de levering, dan geeft "
        f"een beheerder haar vrij: ./mdw release {delivery_id}"
    ]


def _months(ds: Dataset, label: str | None) -> int:
    if ds.period_kind == "quarter_ytd" and label:
        return 3 * int(label[-1])
    return ds.months
