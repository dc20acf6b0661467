-- The seed lists the police classes of a crime type as "A20 Omschrijving; A30 Omschrijving".
with klassen as (
    select
        soort.soort_misdrijf_code,
        soort.titel as soort_misdrijf,
        trim(klasse) as klasse
    from {{ ref('cbs_soort_misdrijf_47018NED') }} as soort
    cross join lateral regexp_split_to_table(soort.politie_maatschappelijke_klassen, ';') as klasse
    where soort.politie_maatschappelijke_klassen is not null
)

select
    split_part(klasse, ' ', 1) as bvh_code,
    substr(klasse, length(split_part(klasse, ' ', 1)) + 2) as bvh_omschrijving,
    soort_misdrijf_code,
    soort_misdrijf
from klassen
where klasse <> ''
