"""The analysts' tables of a publication: CSV and Parquet, one row per indicator × area.

The columns (:data:`ANALYST_COLUMNS`) are the table rows' register names (:class:`~.content.TableRow`)
with the quarter, version, pillar, theme, indicator name, unit and area name beside them. Both
files are byte-reproducible (no timestamps).
"""

from __future__ import annotations

from pathlib import Path

from monitor_dordt_west.publication.content import Publication, record

ANALYST_COLUMNS = (
    "kwartaal", "versie", "pijler", "thema", "indicator_code", "indicator", "eenheid", "gebiedscode", "gebied",
    "periode_code", "status_cijfer", "waarde", "onderdrukt", "teller", "nulmeting", "nulmeting_jaar",
    "verandering_sinds_nulmeting", "waarde_dordrecht", "verschil_met_dordrecht", "doel_2043", "voortgang",
    "significant_verschil_dordrecht", "wijziging", "vorige_periode", "vorige_waarde",
)  # fmt: skip

FLOAT_COLUMNS = (
    "waarde",
    "teller",
    "nulmeting",
    "verandering_sinds_nulmeting",
    "waarde_dordrecht",
    "verschil_met_dordrecht",
    "doel_2043",
    "vorige_waarde",
)


def analyst_rows(publication: Publication) -> list[dict]:
    content = publication.content
    out = []
    for r in content.rows:
        ind = content.indicator(r.indicator)
        row = {
            **record(r),
            "kwartaal": content.quarter.code,
            "versie": publication.version,
            "pijler": content.pillar,
            "thema": ind.theme,
            "indicator": ind.name,
            "eenheid": ind.unit,
            "gebied": content.areas.names[r.area],
        }
        out.append({c: row.get(c) for c in ANALYST_COLUMNS})
    return out


def write(publication: Publication, csv_path: Path, parquet_path: Path) -> None:
    import csv

    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = analyst_rows(publication)
    with csv_path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.DictWriter(fh, fieldnames=ANALYST_COLUMNS, lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    types = {
        "versie": pa.int32(),
        "onderdrukt": pa.bool_(),
        "nulmeting_jaar": pa.int32(),
        **dict.fromkeys(FLOAT_COLUMNS, pa.float64()),
    }
    schema = pa.schema([(c, types.get(c, pa.string())) for c in ANALYST_COLUMNS])
    table = pa.Table.from_pylist(rows, schema=schema)
    pq.write_table(table, parquet_path, compression="zstd")
