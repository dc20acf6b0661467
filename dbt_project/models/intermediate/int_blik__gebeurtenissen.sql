-- Buurtwerk (BLIK) events per indicator series, with the CBS wijk (BLIK has no buurt): one row
-- per series × event (a registration or volunteer: a line of a delivery) × counted unit (a
-- collective dossier counts each participant). Stedelijk work has no wijk and counts for
-- Dordrecht only.
with registraties as (
    select * from {{ ref('stg_blik__registraties') }}
),

vrijwilligers as (
    select * from {{ ref('stg_blik__vrijwilligers') }}
),

wijken as (
    select * from {{ ref('blik_wijken') }}
),

leveringen as (
    select * from {{ ref('stg_mdw_meta__deliveries') }}
),

met_wijk as (
    select
        registraties.*,
        wijken.wijkcode
    from registraties
    inner join wijken on registraties.blik_wijk = wijken.blik_wijk
)

select
    'blik_bereik' as reeks,
    client_ref as eenheid_id,
    wijkcode,
    datum,
    delivery_id,
    bronregel
from met_wijk
where client_ref is not null

union all

select
    case soort
        when 'korte vraag' then 'blik_korte_vragen'
        when 'individueel dossier' then 'blik_individuele_dossiers'
        when 'collectief dossier' then 'blik_collectieve_dossiers'
        when 'doorverwijzing' then 'blik_doorverwijzingen'
        else 'blik_welzijnsbezoeken'
    end as reeks,
    registratie_id::text as eenheid_id,
    wijkcode,
    datum,
    delivery_id,
    bronregel
from met_wijk

union all

-- participants are contact moments, not unique persons: one unit per participant of a registration
select
    'blik_deelnemers_collectief' as reeks,
    met_wijk.registratie_id || '-' || deelnemer as eenheid_id,
    met_wijk.wijkcode,
    met_wijk.datum,
    met_wijk.delivery_id,
    met_wijk.bronregel
from met_wijk
cross join lateral generate_series(1, met_wijk.aantal_deelnemers) as deelnemer
where met_wijk.aantal_deelnemers > 0

union all

-- a volunteer in the file of a quarter was active at some time in that quarter
select
    'blik_vrijwilligers' as reeks,
    vrijwilligers.vrijwilliger_ref as eenheid_id,
    wijken.wijkcode,
    leveringen.period_end as datum,
    vrijwilligers.delivery_id,
    vrijwilligers.bronregel
from vrijwilligers
inner join wijken on vrijwilligers.blik_wijk = wijken.blik_wijk
inner join leveringen on vrijwilligers.delivery_id = leveringen.delivery_id
