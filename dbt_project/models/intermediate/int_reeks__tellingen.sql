-- Counts per series × area × period: distinct units, so a person counts once per area and
-- period. Events with only a wijk count for that wijk and the municipality; events without
-- buurt or wijk for the municipality only.
with gebeurtenissen as (
    select * from {{ ref('int_gebeurtenissen') }}
),

lidmaatschap as (
    select * from {{ ref('int_gebieden__buurt_lidmaatschap') }}
),

perioden as (
    select * from {{ ref('int_perioden') }}
),

toegewezen as (
    select
        gebeurtenissen.reeks,
        gebeurtenissen.eenheid_id,
        gebeurtenissen.datum,
        lidmaatschap.gebiedscode
    from gebeurtenissen
    inner join lidmaatschap
        on
            gebeurtenissen.buurtcode = lidmaatschap.buurtcode
            and gebeurtenissen.datum between lidmaatschap.geldig_van and lidmaatschap.geldig_tot

    union all

    -- events with only a wijk (BLIK) count for that wijk
    select
        reeks,
        eenheid_id,
        datum,
        wijkcode as gebiedscode
    from gebeurtenissen
    where buurtcode is null and wijkcode is not null

    union all

    -- events without buurt count for the municipality
    select
        reeks,
        eenheid_id,
        datum,
        '{{ var("gemeente_code") }}' as gebiedscode
    from gebeurtenissen
    where buurtcode is null
)

select
    toegewezen.reeks,
    toegewezen.gebiedscode,
    perioden.periode_code,
    count(distinct toegewezen.eenheid_id) as aantal
from toegewezen
inner join perioden on toegewezen.datum between perioden.begindatum and perioden.einddatum
group by toegewezen.reeks, toegewezen.gebiedscode, perioden.periode_code
