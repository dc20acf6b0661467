with berekend as (
    -- computed by the platform from the partners' records (police, SDD, BLIK)
    select * from {{ ref('int_indicatoren__waarden') }}
),

geleverd as (
    -- delivered ready-made by OCD (surveys, kerncijfers)
    select * from {{ ref('int_ocd__waarden') }}
),

alle as (
    select * from berekend
    union all
    select * from geleverd
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
from alle
