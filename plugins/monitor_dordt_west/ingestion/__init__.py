"""Ingestion: a partner file from the landing folder to its raw table, exactly once.

The agreed files (`registry`), the checks on a file before anything is loaded (`file_checks`,
`workbook_guard`), streaming readers (`readers`), the load ledger (`ledger`), archive and
quarantine (`storage`), the raw tables and the swap into place (`raw_tables`), the delivery rules
across deliveries (`delivery_rules`), Great Expectations (`expectations`, `validation`), BSN
pseudonymisation and its key (`pseudonym`, `key_rotation`); `load` ties them together.
"""
