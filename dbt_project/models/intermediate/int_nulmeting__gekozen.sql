-- The printed copy of the baseline that holds, per indicator and area. Where copies conflict, the
-- decision seed names the table whose copy holds; otherwise the latest reference year, then the
-- NPDW table before the Kernindicatoren table.
with kopieen as (
    select * from {{ ref('int_nulmeting__kopieen') }}
),

besluiten as (
    select * from {{ ref('nulmeting_besluiten') }}
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
    indicator_code,
    gebiedscode,
    kopie_id,
    waarde,
    waarde_zoals_gedrukt,
    eenheid_zoals_gedrukt,
    referentiejaar,
    bron_seed,
    sectie,
    rijlabel,
    onderdeel,
    aantal_kopieen::integer as aantal_kopieen
from gerangschikt
where rang = 1
