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
from {{ ref('int_indicatoren__waarden') }}
