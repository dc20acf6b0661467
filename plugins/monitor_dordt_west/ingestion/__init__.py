"""Ingestion: a partner file from the landing folder to its raw table, exactly once.

The agreed files (`registry`), the checks on a file before anything is loaded (`file_checks`,
`workbook_guard`), streaming readers (`readers`), the load ledger's states and transitions
(`ledger`), archive and quarantine (`storage`), the raw tables, the COPY into the work table and
the swap into place (`raw_tables`), the delivery rules across deliveries (`delivery_rules`), Great
Expectations (`expectations`, `validation`), BSN pseudonymisation and its key (`pseudonym`,
`key_rotation`), the faults that are not the partner's (`errors`); `load` ties them together and
holds the entry points (`ingest_partner`, `ingest_file`, `pending_files`, `release`).

Imports go one way: `load` uses every other module; `raw_tables` uses `key_rotation`, `readers`,
`storage` and `ledger`; `key_rotation` uses `storage`, `file_checks` and `ledger`; `readers` and
`storage` use `file_checks`; `ledger` and `delivery_rules` use only `registry` (and `ledger`);
`errors`, `registry` and `pseudonym` use none of them.
"""
