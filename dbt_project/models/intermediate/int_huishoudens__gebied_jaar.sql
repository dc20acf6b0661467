-- Households on 1 January per area and year (all, and with a low income: the denominator of
-- the reach of minima schemes), summed over the buurten that belong to the area on that date.
with huishoudens as (
    select * from {{ ref('stg_ocd__huishoudens') }}
),

lidmaatschap as (
    select * from {{ ref('int_gebieden__buurt_lidmaatschap') }}
)

select
    lidmaatschap.gebiedscode,
    huishoudens.jaar,
    sum(huishoudens.huishoudens) as huishoudens,
    sum(huishoudens.huishoudens_laag_inkomen) as huishoudens_laag_inkomen,
    array_agg(distinct huishoudens.delivery_id order by huishoudens.delivery_id) as leveringen
from huishoudens
inner join lidmaatschap
    on
        huishoudens.buurtcode = lidmaatschap.buurtcode
        and huishoudens.peildatum between lidmaatschap.geldig_van and lidmaatschap.geldig_tot
group by lidmaatschap.gebiedscode, huishoudens.jaar
