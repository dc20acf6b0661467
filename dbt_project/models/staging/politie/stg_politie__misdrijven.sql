select
    _delivery_id as delivery_id,
    _line as bronregel,
    registratienummer,
    registratiedatum,
    pleegdatum,
    maatschappelijke_klasse as bvh_code,
    omschrijving,
    buurtcode
from {{ source('politie', 'misdrijven') }}
