-- The build register: one row per write-audit-publish build of the warehouse (dbt).
-- Idempotent: run before every build and before every publication.
CREATE SCHEMA IF NOT EXISTS mdw_meta;

CREATE TABLE IF NOT EXISTS mdw_meta.warehouse_build (
    build_id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    started_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    finished_at     timestamptz,
    status          text        NOT NULL CHECK (status IN ('running', 'failed', 'published')),
    max_delivery_id bigint,
    max_loaded_at   timestamptz,
    failure         text,
    started_by      text        NOT NULL,
    airflow_run_id  text
);
CREATE INDEX IF NOT EXISTS warehouse_build_airflow_run ON mdw_meta.warehouse_build (airflow_run_id);
COMMENT ON TABLE mdw_meta.warehouse_build IS
    'Buildregister (write-audit-publish): één rij per build van het warehouse. dbt bouwt en test alles in de '
    'schema''s <schema>__build; alleen als alles slaagde worden die in één transactie op de plaats van staging, '
    'intermediate, marts en reference gezet (status published). failed: de gepubliceerde schema''s bleven ongewijzigd, '
    'failure zegt welke test faalde op welke rijen. Publiceren kan alleen als de laatste build niet mislukte en de '
    'laatste gepubliceerde build alle geladen leveringen bevat.';
COMMENT ON COLUMN mdw_meta.warehouse_build.status IS 'running (bezig), failed (mislukt, niets gewijzigd) of published (in gebruik genomen).';
COMMENT ON COLUMN mdw_meta.warehouse_build.max_delivery_id IS
    'Hoogste delivery_id met status loaded in mdw_meta.load_ledger toen de build begon.';
COMMENT ON COLUMN mdw_meta.warehouse_build.max_loaded_at IS
    'Nieuwste loaded_at van de geladen leveringen toen de build begon; een levering die later werd geladen zit niet (zeker) in deze build.';
COMMENT ON COLUMN mdw_meta.warehouse_build.failure IS 'Waarom de build mislukte: welke test faalde op welke rijen (zonder persoonsgegevens).';
COMMENT ON COLUMN mdw_meta.warehouse_build.started_by IS 'Wie of wat de build startte (mdw build, mdw run, airflow build_warehouse <run>).';
COMMENT ON COLUMN mdw_meta.warehouse_build.airflow_run_id IS 'De Airflow-run van build_warehouse, als de build daar liep.';
