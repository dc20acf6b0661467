-- Police events per indicator series: one row per series × event (a crime, an incident, a
-- suspect × crime: a line of a delivery), with the unit counted and the buurt and date that
-- decide where and when it counts.
with misdrijven as (
    select * from {{ ref('stg_politie__misdrijven') }}
),

klassen as (
    select * from {{ ref('stg_cbs__bvh_klassen') }}
),

groepen as (
    select * from {{ ref('indicator_misdrijfgroepen') }}
),

incidenten as (
    select * from {{ ref('stg_politie__incidenten') }}
),

verdachten as (
    select * from {{ ref('stg_politie__verdachten') }}
)

select
    'misdrijven' as reeks,
    registratienummer as eenheid_id,
    buurtcode,
    registratiedatum as datum,
    delivery_id,
    bronregel
from misdrijven

union all

-- distinct: a police class CBS lists under two crime types of one group is still one crime
select distinct
    groepen.reeks,
    misdrijven.registratienummer,
    misdrijven.buurtcode,
    misdrijven.registratiedatum,
    misdrijven.delivery_id,
    misdrijven.bronregel
from misdrijven
inner join klassen on misdrijven.bvh_code = klassen.bvh_code
inner join groepen on klassen.soort_misdrijf_code = groepen.soort_misdrijf_code

union all

select
    'overlast' as reeks,
    incidentnummer as eenheid_id,
    buurtcode,
    meldingsdatum as datum,
    delivery_id,
    bronregel
from incidenten

union all

select
    'overlast_jeugd' as reeks,
    incidentnummer as eenheid_id,
    buurtcode,
    meldingsdatum as datum,
    delivery_id,
    bronregel
from incidenten
where is_overlast_jeugd

union all

select
    'e33' as reeks,
    incidentnummer as eenheid_id,
    buurtcode,
    meldingsdatum as datum,
    delivery_id,
    bronregel
from incidenten
where is_e33

union all

-- suspects count where they live; without a woonbuurt (outside Dordrecht or unknown) they do not count
select
    'verdachten_jonger_25' as reeks,
    verdachtennummer as eenheid_id,
    woonbuurtcode as buurtcode,
    registratiedatum as datum,
    delivery_id,
    bronregel
from verdachten
where leeftijd_in_registratiejaar < 25 and woonbuurtcode is not null
