select
    _delivery_id as delivery_id,
    _line as bronregel,
    indicator as ocd_code,
    omschrijving,
    gebiedscode,
    periode,
    -- 2023, 2023-01-01 (a reference date) and 2022/2023 (a school year) all report in year 2023
    case
        when periode ~ '^[0-9]{4}/[0-9]{4}$' then right(periode, 4)::integer
        else left(periode, 4)::integer
    end as periode_jaar,
    waarde,
    teller,
    noemer,
    bron
from {{ source('ocd', 'kerncijfers') }}
