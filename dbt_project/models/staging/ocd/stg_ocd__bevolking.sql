select
    _delivery_id as delivery_id,
    _line as bronregel,
    buurtcode,
    peildatum,
    extract(year from peildatum)::integer as jaar,
    leeftijd,
    inwoners
from {{ source('ocd', 'bevolking') }}
