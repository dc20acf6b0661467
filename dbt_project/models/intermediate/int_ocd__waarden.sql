-- Indicator values OCD delivers ready-made (surveys and kerncijfers): one row per indicator ×
-- area × year, mapped to the catalogue through OCD's indicator codes. Survey values keep their
-- respondents and confidence interval; a cell OCD may not publish stays empty.
with codes as (
    select * from {{ ref('ocd_indicatorcodes') }}
),

catalogus as (
    select * from {{ ref('indicator_catalogus') }}
),

leveringen as (
    select * from {{ ref('stg_mdw_meta__deliveries') }}
),

enquetes as (
    select * from {{ ref('stg_ocd__enquete_uitkomsten') }}
),

kerncijfers as (
    select * from {{ ref('stg_ocd__kerncijfers') }}
)

select
    codes.indicator_code,
    enquetes.gebiedscode,
    extract(year from leveringen.period_start)::text as periode_code,
    enquetes.waarde,
    null::numeric as teller,
    null::numeric as noemer,
    catalogus.eenheid,
    'definitief' as status,
    array[enquetes.delivery_id] as leveringen,
    enquetes.ondergrens,
    enquetes.bovengrens,
    enquetes.respondenten::integer as respondenten
from enquetes
inner join codes on enquetes.ocd_code = codes.ocd_code
inner join catalogus on codes.indicator_code = catalogus.indicator_code
inner join leveringen on enquetes.delivery_id = leveringen.delivery_id

union all

select
    codes.indicator_code,
    kerncijfers.gebiedscode,
    kerncijfers.periode_jaar::text as periode_code,
    kerncijfers.waarde,
    kerncijfers.teller,
    kerncijfers.noemer,
    catalogus.eenheid,
    'definitief' as status,
    array[kerncijfers.delivery_id] as leveringen,
    null::numeric as ondergrens,
    null::numeric as bovengrens,
    null::integer as respondenten
from kerncijfers
inner join codes on kerncijfers.ocd_code = codes.ocd_code
inner join catalogus on codes.indicator_code = catalogus.indicator_code
