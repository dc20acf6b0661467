-- Everything the on-track status needs, per indicator × programme area × period: the value, the
-- baseline (printed in Bijlage 3; else the platform's own value for the nulmeting year), the
-- Dordrecht value of the same period, the target rule, and how far along the road to 2043 the
-- period is.
with waarden as (
    select * from {{ ref('int_indicatoren__waarden') }}
    where
        gebiedscode in (
            {%- for code in var("programma_gebieden") %}
                '{{ code }}'{% if not loop.last %},{% endif %}
            {%- endfor %}
        )
),

indicatoren as (
    select * from {{ ref('indicator_catalogus') }}
),

perioden as (
    select * from {{ ref('int_perioden') }}
),

gedrukt as (
    select * from {{ ref('int_nulmeting__gekozen') }}
),

eigen_nulmeting as (
    select
        indicator_code,
        gebiedscode,
        waarde
    from {{ ref('int_indicatoren__waarden') }}
    where periode_code = '{{ var("nulmeting_jaar") }}'
),

dordrecht as (
    select
        indicator_code,
        periode_code,
        waarde
    from waarden
    where gebiedscode = '{{ var("gemeente_code") }}'
)

select
    waarden.indicator_code,
    waarden.gebiedscode,
    waarden.periode_code,
    waarden.waarde,
    waarden.eenheid,
    waarden.ondergrens,
    waarden.bovengrens,
    indicatoren.richting,
    indicatoren.doel_type,
    indicatoren.doel_waarde,
    indicatoren.doel_basisjaar,
    indicatoren.soort_bron,
    perioden.periodetype,
    coalesce(gedrukt.waarde, eigen_nulmeting.waarde) as nulmeting_waarde,
    case
        when gedrukt.waarde is not null then coalesce(gedrukt.referentiejaar, {{ var("nulmeting_jaar") }})
        when eigen_nulmeting.waarde is not null then {{ var("nulmeting_jaar") }}
    end as nulmeting_jaar,
    case
        when gedrukt.waarde is not null and gedrukt.referentiejaar is not null then 'Bijlage 3'
        when gedrukt.waarde is not null then 'Bijlage 3 (jaar niet gedrukt: {{ var("nulmeting_jaar") }} aangenomen)'
        when eigen_nulmeting.waarde is not null then 'berekend uit leveringen ({{ var("nulmeting_jaar") }})'
    end as nulmeting_bron,
    dordrecht.waarde as waarde_dordrecht,
    -- position of the period's end on the time axis (2024-Q2 -> 2024.5, year 2024 -> 2025.0)
    perioden.jaar + coalesce(perioden.kwartaal, 4) / 4.0 as periode_tijd
from waarden
inner join indicatoren on waarden.indicator_code = indicatoren.indicator_code
inner join perioden on waarden.periode_code = perioden.periode_code
left join gedrukt
    on
        waarden.indicator_code = gedrukt.indicator_code
        and waarden.gebiedscode = gedrukt.gebiedscode
left join eigen_nulmeting
    on
        waarden.indicator_code = eigen_nulmeting.indicator_code
        and waarden.gebiedscode = eigen_nulmeting.gebiedscode
left join dordrecht
    on
        waarden.indicator_code = dordrecht.indicator_code
        and waarden.periode_code = dordrecht.periode_code
