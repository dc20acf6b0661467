-- Every printed baseline value (Bijlage 3 and Buurtwerk's reports) with its area code.
with gedrukt as (
    select * from {{ ref('nulmeting_bijlage3') }}
    union all
    select * from {{ ref('nulmeting_buurtwerk') }}
),

gebieden as (
    select * from {{ ref('int_gebieden') }}
    where niveau in ('gemeente', 'focusgebied', 'wijk')
)

select
    gedrukt.indicator_code,
    gebieden.gebiedscode,
    gedrukt.gebied,
    gedrukt.waarde,
    gedrukt.waarde_zoals_gedrukt,
    gedrukt.eenheid_zoals_gedrukt,
    gedrukt.referentiejaar,
    gedrukt.bron_seed,
    gedrukt.sectie,
    gedrukt.rijlabel,
    gedrukt.onderdeel,
    row_number() over (
        order by gedrukt.indicator_code, gebieden.gebiedscode, gedrukt.sectie, gedrukt.referentiejaar
    ) as kopie_id
from gedrukt
inner join gebieden on gedrukt.gebied = gebieden.gebiedsnaam
