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
        buurten.wijkcode,
        coalesce(wijknamen.programmanaam, buurten.wijknaam),
        'wijk',
        buurten.wijkcode,
        buurten.gemeentecode,
        3
    from buurten
    left join wijknamen on buurten.wijkcode = wijknamen.wijkcode

    union all

    select distinct gemeentecode, gemeentenaam, 'gemeente', null, gemeentecode, 1
    from buurten

    union all

    select '{{ var("focus_area_code") }}', 'Dordt West', 'focusgebied', null, '{{ var("gemeente_code") }}', 2
)

select * from gebieden
