-- Pairs of printed copies of the same indicator and area that disagree.
with kopieen as (
    select * from {{ ref('int_nulmeting__kopieen') }}
)

select
    a.kopie_id as kopie_id_a,
    b.kopie_id as kopie_id_b,
    a.indicator_code,
    a.gebiedscode,
    a.gebied,
    a.sectie as sectie_a,
    a.rijlabel as rijlabel_a,
    a.waarde_zoals_gedrukt as gedrukt_a,
    b.sectie as sectie_b,
    b.rijlabel as rijlabel_b,
    b.waarde_zoals_gedrukt as gedrukt_b
from kopieen as a
inner join kopieen as b
    on
        a.indicator_code = b.indicator_code
        and a.gebiedscode = b.gebiedscode
        and a.kopie_id < b.kopie_id
        and a.bron_seed = b.bron_seed
        -- copies of different printed years are a time series, not a conflict
        and (a.referentiejaar is null or b.referentiejaar is null or a.referentiejaar = b.referentiejaar)
where a.waarde <> b.waarde
