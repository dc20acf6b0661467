select
    indicator_code,
    gebiedscode,
    periode_code,
    waarde,
    teller,
    noemer,
    eenheid,
    status,
    leveringen
from {{ ref('int_indicatoren__waarden') }}
