-- Inhabitants on 1 January per area and year (all ages, 0–24 and 0–26), summed over the buurten
-- that belong to the area on that date.
with bevolking as (
    select * from {{ ref('stg_ocd__bevolking') }}
),

lidmaatschap as (
    select * from {{ ref('int_gebieden__buurt_lidmaatschap') }}
)

select
    lidmaatschap.gebiedscode,
    bevolking.jaar,
    sum(bevolking.inwoners) as inwoners,
    sum(bevolking.inwoners) filter (where bevolking.leeftijd < 25) as inwoners_0_24,
    sum(bevolking.inwoners) filter (where bevolking.leeftijd < 27) as inwoners_0_26,
    array_agg(distinct bevolking.delivery_id order by bevolking.delivery_id) as leveringen
from bevolking
inner join lidmaatschap
    on
        bevolking.buurtcode = lidmaatschap.buurtcode
        and bevolking.peildatum between lidmaatschap.geldig_van and lidmaatschap.geldig_tot
group by lidmaatschap.gebiedscode, bevolking.jaar
