-- Counts per series × area × period: distinct units, so a person counts once per area and
-- period. Events with only a wijk count for that wijk and the municipality; events without
-- buurt or wijk for the municipality only.
--
-- Exact distinct counts without fanning every event out over every period: each event goes to
-- its areas and its one quarter, deduplicated per unit (eenheid_kwartalen); years and rolling
-- years (the four quarters up to and including a quarter) deduplicate those rows again, so every
-- count is a plain count of distinct rows (hash aggregates, no join on date ranges). Only periods
-- of the calendar (int_perioden) are kept. count(eenheid_id), like count(distinct), leaves a
-- missing unit uncounted. work_mem is raised for this transaction so the aggregates stay in memory
-- at the demo's volume (they spill to disk beyond it, not fail).
{{ config(pre_hook="set local work_mem = '256MB'") }}

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
),

-- one row per series × area × unit × quarter in which the unit occurs; the quarter as a number
-- (4 × year + quarter − 1), so that consecutive quarters are consecutive numbers
eenheid_kwartalen as (
    select distinct
        reeks,
        gebiedscode,
        eenheid_id,
        (4 * date_part('year', datum) + date_part('quarter', datum))::int - 1 as kwartaalnummer
    from toegewezen
    where datum is not null
),

kwartalen as (
    select
        reeks,
        gebiedscode,
        kwartaalnummer / 4 || '-Q' || kwartaalnummer % 4 + 1 as periode_code,
        count(eenheid_id) as aantal
    from eenheid_kwartalen
    group by reeks, gebiedscode, kwartaalnummer
),

eenheid_jaren as (
    select distinct
        reeks,
        gebiedscode,
        eenheid_id,
        kwartaalnummer / 4 as jaar
    from eenheid_kwartalen
),

jaren as (
    select
        reeks,
        gebiedscode,
        jaar::text as periode_code,
        count(eenheid_id) as aantal
    from eenheid_jaren
    group by reeks, gebiedscode, jaar
),

-- the rolling year ending in quarter e holds the quarters e−3 … e: a unit occurring in quarter n
-- counts in the rolling years ending in n … n+3, once each
eenheid_voortschrijdend as (
    select distinct
        eenheid_kwartalen.reeks,
        eenheid_kwartalen.gebiedscode,
        eenheid_kwartalen.eenheid_id,
        eenheid_kwartalen.kwartaalnummer + verschuiving as eind
    from eenheid_kwartalen
    cross join generate_series(0, 3) as verschuiving
),

voortschrijdend as (
    select
        reeks,
        gebiedscode,
        eind / 4 || '-Q' || eind % 4 + 1 || '-4KW' as periode_code,
        count(eenheid_id) as aantal
    from eenheid_voortschrijdend
    group by reeks, gebiedscode, eind
),

tellingen as (
    select * from kwartalen
    union all
    select * from jaren
    union all
    select * from voortschrijdend
)

select
    tellingen.reeks,
    tellingen.gebiedscode,
    tellingen.periode_code,
    tellingen.aantal
from tellingen
inner join perioden on tellingen.periode_code = perioden.periode_code
