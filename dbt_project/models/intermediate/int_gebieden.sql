-- Every area the monitor reports on: buurten, wijken, the focus area and the municipality.
with buurten as (
    select * from {{ ref('stg_cbs__buurten') }}
),

wijknamen as (
    select * from {{ ref('wijknamen_programma') }}
),

gebieden as (
    select
        buurtcode as gebiedscode,
        buurtnaam as gebiedsnaam,
        'buurt' as niveau,
        wijkcode,
        gemeentecode,
        4 as niveau_volgorde
    from buurten

    union all

    select distinct
        buurten.wijkcode as gebiedscode,
        coalesce(wijknamen.programmanaam, buurten.wijknaam) as gebiedsnaam,
        'wijk' as niveau,
        buurten.wijkcode,
        buurten.gemeentecode,
        3 as niveau_volgorde
    from buurten
    left join wijknamen on buurten.wijkcode = wijknamen.wijkcode

    union all

    select distinct
        gemeentecode as gebiedscode,
        gemeentenaam as gebiedsnaam,
        'gemeente' as niveau,
        null as wijkcode,
        gemeentecode,
        1 as niveau_volgorde
    from buurten

    union all

    select
        '{{ var("focus_area_code") }}' as gebiedscode,
        'Dordt West' as gebiedsnaam,
        'focusgebied' as niveau,
        null as wijkcode,
        '{{ var("gemeente_code") }}' as gemeentecode,
        2 as niveau_volgorde
)

select * from gebieden
