with waarden as (
    -- computed by the platform (police, SDD, BLIK) or delivered ready-made by OCD
    select * from {{ ref('int_indicatoren__waarden') }}
)

select
    indicator_code,
    gebiedscode,
    periode_code,
    waarde,
    teller,
    noemer,
    eenheid,
    status,
    leveringen,
    ondergrens,
    bovengrens,
    respondenten
from waarden
