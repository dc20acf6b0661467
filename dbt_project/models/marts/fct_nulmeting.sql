-- The baseline per indicator and area: the printed copy that holds. Where copies conflict, the
-- decision seed names the table whose copy holds and why; otherwise the latest reference year,
-- then the NPDW table before the Kernindicatoren table.
with kopieen as (
    select * from {{ ref('int_nulmeting__kopieen') }}
),

besluiten as (
    select * from {{ ref('nulmeting_besluiten') }}
),

conflicten as (
    select
        indicator_code,
        gebiedscode,
        string_agg(sectie_a || ': ' || gedrukt_a || ' / ' || sectie_b || ': ' || gedrukt_b, '; ') as conflict
    from {{ ref('int_nulmeting__conflicten') }}
    group by indicator_code, gebiedscode
),

gerangschikt as (
    select
        kopieen.*,
        count(*) over (partition by kopieen.indicator_code, kopieen.gebiedscode) as aantal_kopieen,
        row_number() over (
            partition by kopieen.indicator_code, kopieen.gebiedscode
            order by
                (kopieen.sectie = besluiten.gekozen_sectie) desc nulls last,
                kopieen.referentiejaar desc nulls last,
                (kopieen.sectie like 'Overzicht indicatoren NPDW%') desc,
                kopieen.kopie_id
        ) as rang
    from kopieen
    left join besluiten on kopieen.indicator_code = besluiten.indicator_code
)

select
    gerangschikt.indicator_code,
    gerangschikt.gebiedscode,
    gerangschikt.waarde,
    gerangschikt.waarde_zoals_gedrukt,
    gerangschikt.eenheid_zoals_gedrukt,
    gerangschikt.referentiejaar,
    gerangschikt.bron_seed,
    gerangschikt.sectie,
    gerangschikt.rijlabel,
    gerangschikt.onderdeel,
    gerangschikt.aantal_kopieen::integer as aantal_kopieen,
    conflicten.conflict,
    case when conflicten.conflict is not null then besluiten.reden end as besluit
from gerangschikt
left join conflicten
    on
        gerangschikt.indicator_code = conflicten.indicator_code
        and gerangschikt.gebiedscode = conflicten.gebiedscode
left join besluiten on gerangschikt.indicator_code = besluiten.indicator_code
where gerangschikt.rang = 1
