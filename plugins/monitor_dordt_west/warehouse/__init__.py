"""The warehouse platform: where the data lives and who may touch it.

Connections per role (`connection`), the embedded PostgreSQL server (`embedded`), passwords and
secrets (`credentials`), roles, grants and the migration (`roles`, `sql/`), the dbt runner (`dbt`)
and the write-audit-publish build of the dbt project (`builds`).
"""
