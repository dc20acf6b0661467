-- Periods fully covered by loaded deliveries, per dataset: a quarter needs its 3 months, a
-- year (or rolling year) its 12. A period is definitive once the dataset has a delivery for a later
-- year (police figures are provisional until their year has closed).
with maanden as (
    -- every month a loaded delivery covers (a year-to-date minima file covers January up to its quarter)
    select
        deliveries.dataset,
        maand::date as period_start,
        deliveries.delivery_id
    from {{ ref('stg_mdw_meta__deliveries') }} as deliveries
    cross join
        lateral generate_series(
            deliveries.period_start, deliveries.period_end, interval '1 month'
        ) as maand
    where deliveries.status = 'loaded'
),

perioden as (
    select * from {{ ref('int_perioden') }}
),

gedekt as (
    select
        maanden.dataset,
        perioden.periode_code,
        perioden.periodetype,
        perioden.jaar,
        count(distinct maanden.period_start) as maanden_geleverd,
        array_agg(maanden.delivery_id order by maanden.delivery_id) as leveringen
    from maanden
    inner join perioden on maanden.period_start between perioden.begindatum and perioden.einddatum
    group by maanden.dataset, perioden.periode_code, perioden.periodetype, perioden.jaar
),

laatste as (
    select
        dataset,
        max(period_start) as laatste_maand
    from maanden
    group by dataset
)

select
    gedekt.dataset,
    gedekt.periode_code,
    gedekt.jaar,
    gedekt.leveringen,
    extract(year from laatste.laatste_maand) > gedekt.jaar as is_definitief
from gedekt
inner join laatste on gedekt.dataset = laatste.dataset
where gedekt.maanden_geleverd = case gedekt.periodetype when 'kwartaal' then 3 else 12 end
