-- Buurtwerk's registrations per wijk × quarter × kind × programme line × domain × partner referred to.
with registraties as (
    select * from {{ ref('stg_blik__registraties') }}
),

wijken as (
    select * from {{ ref('blik_wijken') }}
),

perioden as (
    select * from {{ ref('int_perioden') }}
    where periodetype = 'kwartaal'
)

select
    coalesce(wijken.wijkcode, '{{ var("gemeente_code") }}') as gebiedscode,
    registraties.blik_wijk,
    perioden.periode_code,
    registraties.soort,
    registraties.programmalijn,
    registraties.domein,
    coalesce(registraties.doorverwezen_naar, '') as doorverwezen_naar,
    count(*)::integer as registraties,
    count(distinct registraties.client_ref)::integer as unieke_clienten,
    coalesce(sum(registraties.aantal_deelnemers), 0)::integer as deelnemers,
    array_agg(distinct registraties.delivery_id order by registraties.delivery_id) as leveringen
from registraties
inner join wijken on registraties.blik_wijk = wijken.blik_wijk
inner join perioden on registraties.datum between perioden.begindatum and perioden.einddatum
group by 1, 2, 3, 4, 5, 6, 7
