-- The publication register: every quarterly publication for a stuurgroep, frozen as sent.
-- Idempotent: run before every publication.
CREATE SCHEMA IF NOT EXISTS mdw_meta;

CREATE TABLE IF NOT EXISTS mdw_meta.publicatie (
    publicatie_id  bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    kwartaal       text        NOT NULL CHECK (kwartaal ~ '^\d{4}-Q[1-4]$'),
    pijler         text        NOT NULL,
    versie         integer     NOT NULL CHECK (versie >= 1),
    aangemaakt_op  timestamptz NOT NULL,
    inhoud_sha256  char(64)    NOT NULL,
    vorige_versie  bigint REFERENCES mdw_meta.publicatie (publicatie_id),
    wijzigingen    jsonb       NOT NULL DEFAULT '[]',
    cellen         integer     NOT NULL,
    onderdrukt     integer     NOT NULL,
    leveringen     bigint[]    NOT NULL DEFAULT '{}',
    waarschuwingen text[]      NOT NULL DEFAULT '{}',
    aangemaakt_door text,
    UNIQUE (kwartaal, pijler, versie)
);
COMMENT ON TABLE mdw_meta.publicatie IS
    'Publicatieregister: één rij per versie van de kwartaalpublicatie van een pijler (stuurgroep), bevroren zoals verzonden. '
    'Een nieuwe versie ontstaat alleen als de gepubliceerde cijfers veranderen (bijvoorbeeld na een correctielevering); wijzigingen zegt wat.';
COMMENT ON COLUMN mdw_meta.publicatie.inhoud_sha256 IS 'SHA-256 van de gepubliceerde cijfers (na onthullingsbeheersing), onafhankelijk van bestandsformaat en tijdstip.';
COMMENT ON COLUMN mdw_meta.publicatie.wijzigingen IS 'Cellen die t.o.v. de vorige versie van dit kwartaal veranderden: indicator, gebied, periode, was, nu.';
COMMENT ON COLUMN mdw_meta.publicatie.leveringen IS 'Leveringen (mdw_meta.load_ledger) waaruit de cijfers komen.';

CREATE TABLE IF NOT EXISTS mdw_meta.publicatie_bestand (
    publicatie_id bigint  NOT NULL REFERENCES mdw_meta.publicatie (publicatie_id),
    formaat       text    NOT NULL CHECK (formaat IN ('xlsx', 'pdf', 'csv', 'parquet')),
    bestandsnaam  text    NOT NULL,
    bytes         bigint  NOT NULL,
    sha256        char(64) NOT NULL,
    inhoud        bytea   NOT NULL,
    PRIMARY KEY (publicatie_id, formaat)
);
COMMENT ON TABLE mdw_meta.publicatie_bestand IS 'De bestanden van een publicatie, met checksum en inhoud (zo blijft de verzonden versie bewaard).';

CREATE TABLE IF NOT EXISTS mdw_meta.publicatie_cel (
    publicatie_id bigint  NOT NULL REFERENCES mdw_meta.publicatie (publicatie_id),
    indicator_code text   NOT NULL,
    gebiedscode   text    NOT NULL,
    periode_code  text    NOT NULL,
    rol           text    NOT NULL CHECK (rol IN ('laatste', 'reeks')),
    waarde        numeric,
    teller        numeric,
    onderdrukt    boolean NOT NULL,
    soort_onderdrukking text,
    reden         text,
    vingerafdruk  text    NOT NULL,
    PRIMARY KEY (publicatie_id, indicator_code, gebiedscode, periode_code)
);
COMMENT ON TABLE mdw_meta.publicatie_cel IS
    'Elke cel van een publicatie: de gepubliceerde waarde (afgerond) of onderdrukt met reden. '
    'Geheugen van de onthullingsbeheersing: een eerder onderdrukte cel blijft onderdrukt, een eerder getoonde cel is bekend.';

CREATE OR REPLACE VIEW mdw_meta.publicaties AS
SELECT p.kwartaal, p.pijler, p.versie, p.aangemaakt_op, p.inhoud_sha256, p.cellen, p.onderdrukt,
       jsonb_array_length(p.wijzigingen) AS gewijzigde_cellen,
       (SELECT string_agg(b.formaat || ' ' || b.sha256, ', ' ORDER BY b.formaat)
          FROM mdw_meta.publicatie_bestand b WHERE b.publicatie_id = p.publicatie_id) AS bestanden
FROM mdw_meta.publicatie p
ORDER BY p.kwartaal, p.pijler, p.versie;
COMMENT ON VIEW mdw_meta.publicaties IS
    'Overzicht van het publicatieregister: per kwartaal, pijler en versie wanneer, hoeveel cellen (waarvan onderdrukt), '
    'hoeveel cellen veranderden en de bestanden met hun SHA-256.';
