-- Metadata of the ingestion: the load ledger and the helper functions the loads use.
-- Idempotent: run by the owner (mdw migrate).
CREATE SCHEMA IF NOT EXISTS mdw_meta;
CREATE SCHEMA IF NOT EXISTS loading;
COMMENT ON SCHEMA mdw_meta IS 'Metadata van de ingestie: het laadregister (load_ledger) en hulpfuncties.';
COMMENT ON SCHEMA loading IS 'Werktabellen van leveringen die worden gecontroleerd; leeg buiten een lopende lading.';

CREATE TABLE IF NOT EXISTS mdw_meta.load_ledger (
    delivery_id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    partner          text        NOT NULL,
    dataset          text,
    file_name        text        NOT NULL,
    sha256           char(64),
    size_bytes       bigint      NOT NULL,
    period           text,
    period_start     date,
    period_end       date,
    received_at      timestamptz NOT NULL DEFAULT now(),
    last_received_at timestamptz NOT NULL DEFAULT now(),
    times_received   integer     NOT NULL DEFAULT 1,
    file_modified_at timestamptz,
    rows_loaded      bigint,
    status           text        NOT NULL,
    reason           text,
    superseded_by    bigint REFERENCES mdw_meta.load_ledger (delivery_id),
    stored_as        text,
    loaded_at        timestamptz
);
-- migrations of older ledgers (idempotent; only touches the table when it is not up to date)
DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_constraint WHERE conname = 'load_ledger_status_check'
                   AND pg_get_constraintdef(oid) LIKE '%released%') THEN
        ALTER TABLE mdw_meta.load_ledger ADD COLUMN IF NOT EXISTS archive_sha256 char(64);
        ALTER TABLE mdw_meta.load_ledger ALTER COLUMN sha256 DROP NOT NULL;  -- NULL: an entry that is no regular file
        ALTER TABLE mdw_meta.load_ledger DROP CONSTRAINT IF EXISTS load_ledger_status_check;
        ALTER TABLE mdw_meta.load_ledger ADD CONSTRAINT load_ledger_status_check
            CHECK (status IN ('loading', 'loaded', 'superseded', 'quarantined', 'held', 'released', 'aborted'));
    END IF;
END
$$;
CREATE INDEX IF NOT EXISTS load_ledger_dataset_period ON mdw_meta.load_ledger (dataset, period);
CREATE INDEX IF NOT EXISTS load_ledger_sha ON mdw_meta.load_ledger (sha256);
COMMENT ON TABLE mdw_meta.load_ledger IS
    'Laadregister: één rij per ontvangen bestand (inhoud). status: loaded = actief in de raw-tabellen; '
    'superseded = vervangen door de correctie in superseded_by; quarantined = geweigerd, reden in reason; '
    'held = aangehouden ter beoordeling (ouder dan de actieve levering, of te veel verschil met de vorige), released = door een beheerder vrijgegeven; '
    'aborted = lading onderbroken of storing in de infrastructuur, wordt opnieuw verwerkt. '
    'Een byte-identieke herlevering telt op in times_received en verandert verder niets.';
COMMENT ON COLUMN mdw_meta.load_ledger.delivery_id IS 'Leveringsnummer; elke raw-rij draagt het als _delivery_id.';
COMMENT ON COLUMN mdw_meta.load_ledger.sha256 IS 'SHA-256 van het bestand zoals geleverd.';
COMMENT ON COLUMN mdw_meta.load_ledger.stored_as IS 'Pad van het bestand in het archief of de quarantaine.';
COMMENT ON COLUMN mdw_meta.load_ledger.archive_sha256 IS 'SHA-256 van de archiefkopie, gecontroleerd voordat het geleverde bestand werd verwijderd (gelijk aan sha256, behalve bij gepseudonimiseerde kopieën).';
COMMENT ON COLUMN mdw_meta.load_ledger.file_modified_at IS 'Wijzigingstijd van het geleverde bestand; een levering die ouder is dan de actieve levering die zij zou vervangen, wordt aangehouden.';

-- Strict date parsers: NULL unless the text is exactly a valid date in the format (no exception, so
-- they can compute generated columns during COPY). Nested CASE guards every cast (AND has no
-- evaluation order); one SELECT expression without regex so PostgreSQL inlines them (~0.7 s per
-- million values; a regex doubles that, a FROM clause makes it 15 times slower).
CREATE OR REPLACE FUNCTION mdw_meta.parse_date_dmy(value text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(value) = 10 AND translate(value, '0123456789', '') = '--'
                     AND substr(value, 3, 1) = '-' AND substr(value, 6, 1) = '-' THEN
        CASE WHEN substr(value, 4, 2)::int BETWEEN 1 AND 12
                  AND substr(value, 7, 4)::int > 0
                  AND substr(value, 1, 2)::int BETWEEN 1 AND CASE substr(value, 4, 2)
                      WHEN '02' THEN CASE WHEN substr(value, 7, 4)::int % 4 = 0
                                               AND (substr(value, 7, 4)::int % 100 <> 0 OR substr(value, 7, 4)::int % 400 = 0)
                                          THEN 29 ELSE 28 END
                      WHEN '04' THEN 30 WHEN '06' THEN 30 WHEN '09' THEN 30 WHEN '11' THEN 30
                      ELSE 31 END
             THEN make_date(substr(value, 7, 4)::int, substr(value, 4, 2)::int, substr(value, 1, 2)::int)
        END
    END
$$;
COMMENT ON FUNCTION mdw_meta.parse_date_dmy(text) IS 'Strict dd-mm-yyyy date: NULL unless the text is exactly a valid date in that format.';

CREATE OR REPLACE FUNCTION mdw_meta.parse_date_ymd(value text) RETURNS date
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN length(value) = 10 AND translate(value, '0123456789', '') = '--'
                     AND substr(value, 5, 1) = '-' AND substr(value, 8, 1) = '-' THEN
        CASE WHEN substr(value, 6, 2)::int BETWEEN 1 AND 12
                  AND substr(value, 1, 4)::int > 0
                  AND substr(value, 9, 2)::int BETWEEN 1 AND CASE substr(value, 6, 2)
                      WHEN '02' THEN CASE WHEN substr(value, 1, 4)::int % 4 = 0
                                               AND (substr(value, 1, 4)::int % 100 <> 0 OR substr(value, 1, 4)::int % 400 = 0)
                                          THEN 29 ELSE 28 END
                      WHEN '04' THEN 30 WHEN '06' THEN 30 WHEN '09' THEN 30 WHEN '11' THEN 30
                      ELSE 31 END
             THEN make_date(substr(value, 1, 4)::int, substr(value, 6, 2)::int, substr(value, 9, 2)::int)
        END
    END
$$;
COMMENT ON FUNCTION mdw_meta.parse_date_ymd(text) IS 'Strict yyyy-mm-dd date: NULL unless the text is exactly a valid date in that format.';

CREATE OR REPLACE FUNCTION mdw_meta.parse_decimal_nl(value text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- Dutch amounts: decimal comma, optional dot thousands (1.234,56 / 1234,56 / 12); NULL otherwise
    SELECT CASE WHEN value ~ '^-?([0-9]{1,3}(\.[0-9]{3})+|[0-9]+)(,[0-9]+)?$'
                THEN replace(replace(value, '.', ''), ',', '.')::numeric END
$$;
COMMENT ON FUNCTION mdw_meta.parse_decimal_nl(text) IS 'Strict Dutch decimal (1.234,56): NULL unless the text is one.';

CREATE OR REPLACE FUNCTION mdw_meta.parse_timestamp_iso(value text) RETURNS timestamp
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- ISO 8601 without zone, as BLIK writes it: 2024-03-07T14:05:00; NULL otherwise
    SELECT CASE WHEN length(value) = 19 AND substr(value, 11, 1) = 'T'
                     AND substr(value, 12, 8) ~ '^([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]$'
                     AND mdw_meta.parse_date_ymd(substr(value, 1, 10)) IS NOT NULL
                THEN make_timestamp(substr(value, 1, 4)::int, substr(value, 6, 2)::int, substr(value, 9, 2)::int,
                                    substr(value, 12, 2)::int, substr(value, 15, 2)::int, substr(value, 18, 2)::int)
           END
$$;
COMMENT ON FUNCTION mdw_meta.parse_timestamp_iso(text) IS 'Strict ISO 8601 timestamp (jjjj-mm-ddTuu:mm:ss): NULL otherwise.';

CREATE OR REPLACE FUNCTION mdw_meta.parse_number(value text) RETURNS numeric
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    -- a number as written from an Excel cell: 7.3, -0.41, 12; NULL otherwise
    SELECT CASE WHEN value ~ '^-?[0-9]+(\.[0-9]+)?([eE]-?[0-9]+)?$' THEN value::numeric END
$$;
COMMENT ON FUNCTION mdw_meta.parse_number(text) IS 'Number with a decimal point (from Excel cells): NULL otherwise.';

CREATE OR REPLACE FUNCTION mdw_meta.parse_int(value text) RETURNS bigint
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value ~ '^-?[0-9]{1,18}$' THEN value::bigint END
$$;

CREATE OR REPLACE VIEW mdw_meta.deliveries AS
SELECT delivery_id, partner, dataset, period, file_name, status, rows_loaded, received_at, last_received_at,
       times_received, superseded_by, left(reason, 300) AS reason, stored_as
FROM mdw_meta.load_ledger
ORDER BY delivery_id DESC;
COMMENT ON VIEW mdw_meta.deliveries IS 'Overzicht voor beheer: wat is binnengekomen, wat is geweigerd en waarom (nieuwste eerst).';

-- Provenance for analysts: which delivery a figure came from, without the reasons of refusals (they
-- can name positions in person-level files) and without paths in the archive or the quarantine.
CREATE OR REPLACE VIEW mdw_meta.herkomst AS
SELECT delivery_id AS levering_id, partner, dataset, period AS periode, period_start AS periode_start,
       period_end AS periode_eind, file_name AS bestandsnaam, status, rows_loaded AS rijen,
       received_at AS ontvangen_op, loaded_at AS geladen_op, superseded_by AS vervangen_door
FROM mdw_meta.load_ledger
WHERE status IN ('loaded', 'superseded');
COMMENT ON VIEW mdw_meta.herkomst IS
    'Herkomst voor analisten: de leveringen waaruit de cijfers komen (geladen of later vervangen), per levering_id '
    '(de kolom leveringen in de marts). Zonder weigerredenen en zonder paden in archief of quarantaine.';
