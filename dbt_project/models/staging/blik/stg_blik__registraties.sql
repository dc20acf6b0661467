select
    _delivery_id as delivery_id,
    _line as bronregel,
    registratie_id,
    datum_tijd,
    datum_tijd::date as datum,
    soort,
    programmalijn,
    domein,
    wijk as blik_wijk,
    client_ref,
    aantal_deelnemers,
    doorverwezen_naar
from {{ source('blik', 'registraties') }}
