-- Least privilege: what each component role may do. Run by the owner (mdw migrate) after the
-- registers' DDL; idempotent. The raw schemas' grants are made per dataset by the migration (migration.py), the dbt
-- schemas' (staging, intermediate, marts, reference) by dbt's grants config and the build's swap.
--
--   mdw_loader       ledger, loading and raw schemas
--   mdw_transformer  reads raw and the ledger; creates and owns the dbt schemas; the build register
--   mdw_publisher    reads marts, reference and the build register; writes the publication register
--   mdw_analyst      reads marts, reference and the published register; nothing person-level
REVOKE ALL ON SCHEMA public FROM PUBLIC;

GRANT USAGE ON SCHEMA mdw_meta TO mdw_loader, mdw_transformer, mdw_publisher, mdw_analyst;
REVOKE ALL ON ALL TABLES IN SCHEMA mdw_meta FROM PUBLIC;
REVOKE ALL ON SCHEMA loading FROM PUBLIC;
GRANT USAGE, CREATE ON SCHEMA loading TO mdw_loader;
-- the strict parsers are used by the loads' generated columns and by the staging models
GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA mdw_meta TO mdw_loader, mdw_transformer;

-- the load ledger (reasons can name positions in person-level files: never the analyst's)
GRANT SELECT, INSERT, UPDATE ON mdw_meta.load_ledger TO mdw_loader;
GRANT SELECT ON mdw_meta.load_ledger, mdw_meta.deliveries TO mdw_transformer, mdw_publisher;
-- the pseudonym key's generations (key fingerprints only): the loader checks its key chain
GRANT SELECT ON mdw_meta.pseudonym_key_rotation TO mdw_loader;

-- the build register (a failure names failing rows of a test: not the analyst's)
GRANT SELECT, INSERT, UPDATE ON mdw_meta.warehouse_build TO mdw_transformer;
GRANT SELECT ON mdw_meta.warehouse_build TO mdw_publisher;

-- the publication register: written by the publisher only, read by the analyst
GRANT SELECT, INSERT, UPDATE ON mdw_meta.publicatie, mdw_meta.publicatie_bestand, mdw_meta.publicatie_cel
    TO mdw_publisher;
GRANT SELECT ON mdw_meta.publicatie, mdw_meta.publicatie_bestand, mdw_meta.publicatie_cel, mdw_meta.publicaties,
    mdw_meta.herkomst TO mdw_analyst;
GRANT SELECT ON mdw_meta.herkomst TO mdw_publisher;
