"""The bad-delivery set (``./mdw sample --bad``): every file is refused with the message listed
for it in verwachte_meldingen.csv, and nothing of it is loaded."""

from __future__ import annotations

import csv

from mdw_dev.samples import bad
from monitor_dordt_west.ingestion import load, raw_tables, registry
from tests.conftest import query


def test_every_bad_delivery_is_refused_with_its_message(fresh_db, tmp_path):
    landing = tmp_path / "bad"
    cases = bad.generate(landing)
    with open(landing / "verwachte_meldingen.csv", encoding="utf-8") as fh:
        assert [(r["bestand"], r["verwachte_melding"]) for r in csv.DictReader(fh, delimiter=";")] == cases
    raw_tables.ensure_schema(fresh_db)
    refused = {}
    for partner in registry.PARTNERS:
        outcomes, rejected = load.ingest_partner(partner, fresh_db, landing)
        assert all(o.status == "quarantined" for o in outcomes), [
            o.message for o in outcomes if o.status != "quarantined"
        ]
        refused |= {f"{partner}/{r.file_name}": r.message for r in rejected}
    assert set(refused) == {f for f, _ in cases}
    for file_name, expected in cases:
        assert expected in refused[file_name], (file_name, refused[file_name])
    for ds in registry.DATASETS:
        assert query(fresh_db, f"SELECT count(*) FROM {ds.raw_table}") == [(0,)], ds.id
    assert len(cases) == 27  # politie 13, SDD 5, OCD 7, BLIK 2
