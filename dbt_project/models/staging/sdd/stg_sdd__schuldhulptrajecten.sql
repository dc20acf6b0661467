select
    _delivery_id as delivery_id,
    _line as bronregel,
    persoon_pseudoniem,
    trajectnummer,
    soort,
    startdatum,
    einddatum,
    buurtcode
from {{ source('sdd', 'schuldhulp') }}
