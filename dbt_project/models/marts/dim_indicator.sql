with catalogus as (
    select * from {{ ref('indicator_catalogus') }}
),

berekening as (
    select * from {{ ref('indicator_berekening') }}
),

doelen as (
    select * from {{ ref('operationele_doelen') }}
),

onthullingsklassen as (
    select * from {{ ref('onthullingsklassen') }}
),

herkomst as (
    -- the provenance of an indicator: its printed copy for Dordrecht (or the first area printed)
    select distinct on (indicator_code)
        indicator_code,
        bron_seed,
        sectie,
        rijlabel
    from {{ ref('int_nulmeting__gekozen') }}
    order by indicator_code asc, (gebiedscode = '{{ var("gemeente_code") }}') desc, gebiedscode
)

select
    catalogus.indicator_code,
    catalogus.naam,
    catalogus.pijler,
    catalogus.operationeel_doel,
    doelen.thema,
    doelen.volgorde as thema_volgorde,
    catalogus.doel_type,
    catalogus.doel_waarde,
    catalogus.doel_basisjaar,
    catalogus.eenheid,
    catalogus.richting,
    catalogus.bron_partner,
    catalogus.bron_bestand,
    catalogus.soort_bron,
    catalogus.bronhouder,
    catalogus.definitie,
    catalogus.gebiedsniveaus,
    catalogus.onthullingsklasse,
    onthullingsklassen.onthullingsregel,
    catalogus.status,
    catalogus.status_datum,
    catalogus.status_reden,
    berekening.indicator_code is not null as wordt_berekend,
    berekening.factor,
    berekening.teller_reeks,
    berekening.teller_dataset,
    berekening.noemer,
    herkomst.bron_seed as herkomst_seed,
    herkomst.sectie as herkomst_sectie,
    herkomst.rijlabel as herkomst_rijlabel
from catalogus
left join berekening on catalogus.indicator_code = berekening.indicator_code
left join doelen on catalogus.operationeel_doel = doelen.operationeel_doel
left join onthullingsklassen on catalogus.onthullingsklasse = onthullingsklassen.onthullingsklasse
left join herkomst on catalogus.indicator_code = herkomst.indicator_code
