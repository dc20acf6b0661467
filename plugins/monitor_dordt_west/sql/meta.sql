-- Metadata of the ingestion: the load ledger and the helper functions the loads use.
-- Idempotent: run before every load.
CREATE SCHEMA IF NOT EXISTS mdw_meta;
CREATE SCHEMA IF NOT EXISTS loading;
COMMENT ON SCHEMA mdw_meta IS 'Metadata van de ingestie: het laadregister (load_ledger) en hulpfuncties.';
COMMENT ON SCHEMA loading IS 'Werktabellen van leveringen die worden gecontroleerd; leeg buiten een lopende lading.';

CREATE TABLE IF NOT EXISTS mdw_meta.load_ledger (
    delivery_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner          text        NOT NULL,
    dataset          text,
    file_name        text        NOT NULL,
    sha256           char(64)    NOT NULL,
    size_bytes       bigint      NOT NULL,
    period           text,
    period_start     date,
    period_end       date,
    received_at      timestamptz NOT NULL DEFAULT now(),
    last_received_at timestamptz NOT NULL DEFAULT now(),
    times_received   integer     NOT NULL DEFAULT 1,
    file_modified_at timestamptz,
    rows_loaded      bigint,
    status           text        NOT NULL CHECK (status IN ('loading', 'loaded', 'superseded', 'quarantined', 'aborted')),
    reason           text,
    superseded_by    bigint REFERENCES mdw_meta.load_ledger (delivery_id),
    stored_as        text,
    loaded_at        timestamptz
);
CREATE INDEX IF NOT EXISTS load_ledger_dataset_period ON mdw_meta.load_ledger (dataset, period);
CREATE INDEX IF NOT EXISTS load_ledger_sha ON mdw_meta.load_ledger (sha256);
COMMENT ON TABLE mdw_meta.load_ledger IS
    'Laadregister: één rij per ontvangen bestand (inhoud). status: loaded = actief in de raw-tabellen; '
    'superseded = vervangen door de correctie in superseded_by; quarantined = geweigerd, reden in reason; aborted = lading onderbroken, wordt opnieuw geprobeerd. '
    'Een byte-identieke herlevering telt op in times_received en verandert verder niets.';
COMMENT ON COLUMN mdw_meta.load_ledger.delivery_id IS 'Leveringsnummer; elke raw-rij draagt het als _delivery_id.';
COMMENT ON COLUMN mdw_meta.load_ledger.sha256 IS 'SHA-256 van het bestand zoals geleverd.';
COMMENT ON COLUMN mdw_meta.load_ledger.stored_as IS 'Pad van het bestand in het archief of de quarantaine.';

-- Strict date parsers. Nested CASE guards every cast (AND has no evaluation order); a single
-- SELECT expression so PostgreSQL inlines them (a FROM clause would make them 15x slower).
CREATE OR REPLACE FUNCTION mdw_meta.parse_date_dmy(value text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value ~ '^\d{2}-\d{2}-\d{4}$' THEN
        CASE WHEN substr(value, 4, 2)::int BETWEEN 1 AND 12 AND substr(value, 7, 4)::int > 0 THEN
            CASE WHEN substr(value, 1, 2)::int BETWEEN 1 AND extract(
                    day FROM make_date(substr(value, 7, 4)::int, substr(value, 4, 2)::int, 1) + interval '1 month - 1 day')
                THEN make_date(substr(value, 7, 4)::int, substr(value, 4, 2)::int, substr(value, 1, 2)::int)
            END
        END
    END
$$;
COMMENT ON FUNCTION mdw_meta.parse_date_dmy(text) IS 'Strict dd-mm-yyyy date: NULL unless the text is exactly a valid date in that format.';

CREATE OR REPLACE FUNCTION mdw_meta.parse_date_ymd(value text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value ~ '^\d{4}-\d{2}-\d{2}$' THEN
        CASE WHEN substr(value, 6, 2)::int BETWEEN 1 AND 12 AND substr(value, 1, 4)::int > 0 THEN
            CASE WHEN substr(value, 9, 2)::int BETWEEN 1 AND extract(
                    day FROM make_date(substr(value, 1, 4)::int, substr(value, 6, 2)::int, 1) + interval '1 month - 1 day')
                THEN make_date(substr(value, 1, 4)::int, substr(value, 6, 2)::int, substr(value, 9, 2)::int)
            END
        END
    END
$$;
COMMENT ON FUNCTION mdw_meta.parse_date_ymd(text) IS 'Strict yyyy-mm-dd date: NULL unless the text is exactly a valid date in that format.';

CREATE OR REPLACE FUNCTION mdw_meta.parse_int(value text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value ~ '^-?\d{1,18}$' THEN value::bigint END
$$;

CREATE OR REPLACE VIEW mdw_meta.deliveries AS
SELECT delivery_id, partner, dataset, period, file_name, status, rows_loaded, received_at, last_received_at,
       times_received, superseded_by, left(reason, 300) AS reason, stored_as
FROM mdw_meta.load_ledger
ORDER BY delivery_id DESC;
COMMENT ON VIEW mdw_meta.deliveries IS 'Overzicht voor beheer: wat is binnengekomen, wat is geweigerd en waarom (nieuwste eerst).';
