-- SDD events per indicator series: one row per series × event (a benefit on a month's peildatum,
-- a trajectory in a month, a grant: a line of a delivery), with the person (pseudonym) counted,
-- the buurt of residence and the date that decides the period. Persons are counted once
-- per area and period downstream (distinct pseudonyms).
with uitkeringen as (
    select * from {{ ref('stg_sdd__uitkeringen') }}
),

trajecten as (
    select * from {{ ref('stg_sdd__schuldhulptrajecten') }}
),

toekenningen as (
    select * from {{ ref('stg_sdd__minimatoekenningen') }}
),

leveringen as (
    select * from {{ ref('stg_mdw_meta__deliveries') }}
)

select
    case uitkeringen.regeling
        when 'PW' then 'bijstand_pw'
        else 'uitkering_' || lower(uitkeringen.regeling)
    end as reeks,
    uitkeringen.persoon_pseudoniem as eenheid_id,
    uitkeringen.buurtcode,
    uitkeringen.peildatum as datum,
    uitkeringen.delivery_id,
    uitkeringen.bronregel
from uitkeringen

union all

select
    'jongeren_uitkering' as reeks,
    persoon_pseudoniem as eenheid_id,
    buurtcode,
    peildatum as datum,
    delivery_id,
    bronregel
from uitkeringen
where leeftijd_in_peiljaar < 27

union all

-- a trajectory in the file of a month ran at some time in that month: it counts in that month
select
    'schuldhulp' as reeks,
    trajecten.persoon_pseudoniem as eenheid_id,
    trajecten.buurtcode,
    leveringen.period_end as datum,
    trajecten.delivery_id,
    trajecten.bronregel
from trajecten
inner join leveringen on trajecten.delivery_id = leveringen.delivery_id

union all

select
    'schuldsanering' as reeks,
    trajecten.persoon_pseudoniem as eenheid_id,
    trajecten.buurtcode,
    leveringen.period_end as datum,
    trajecten.delivery_id,
    trajecten.bronregel
from trajecten
inner join leveringen on trajecten.delivery_id = leveringen.delivery_id
where trajecten.soort = 'schuldsanering'

union all

select
    case regeling
        when 'bijzondere bijstand' then 'minima_bijzondere_bijstand'
        when 'persoonlijk minimabudget' then 'minima_persoonlijk_minimabudget'
        else 'minima_kwijtschelding'
    end as reeks,
    persoon_pseudoniem as eenheid_id,
    buurtcode,
    toekenningsdatum as datum,
    delivery_id,
    bronregel
from toekenningen
