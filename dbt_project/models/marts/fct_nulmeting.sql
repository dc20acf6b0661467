-- The baseline per indicator and area: the printed copy that holds (int_nulmeting__gekozen), and
-- where copies conflict, the conflict and the decision of the decision seed.
with gekozen as (
    select * from {{ ref('int_nulmeting__gekozen') }}
),

besluiten as (
    select * from {{ ref('nulmeting_besluiten') }}
),

conflicten as (
    select
        indicator_code,
        gebiedscode,
        string_agg(
            sectie_a || ': ' || gedrukt_a || ' / ' || sectie_b || ': ' || gedrukt_b, '; '
            order by kopie_id_a, kopie_id_b
        ) as conflict
    from {{ ref('int_nulmeting__conflicten') }}
    group by indicator_code, gebiedscode
)

select
    gekozen.indicator_code,
    gekozen.gebiedscode,
    gekozen.waarde,
    gekozen.waarde_zoals_gedrukt,
    gekozen.eenheid_zoals_gedrukt,
    gekozen.referentiejaar,
    gekozen.bron_seed,
    gekozen.sectie,
    gekozen.rijlabel,
    gekozen.onderdeel,
    gekozen.aantal_kopieen,
    conflicten.conflict,
    case when conflicten.conflict is not null then besluiten.reden end as besluit
from gekozen
left join conflicten
    on
        gekozen.indicator_code = conflicten.indicator_code
        and gekozen.gebiedscode = conflicten.gebiedscode
left join besluiten on gekozen.indicator_code = besluiten.indicator_code
