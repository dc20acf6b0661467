select
    _delivery_id as delivery_id,
    _line as bronregel,
    vrijwilliger_ref,
    wijk as blik_wijk,
    programmalijn,
    startdatum,
    einddatum
from {{ source('blik', 'vrijwilligers') }}
