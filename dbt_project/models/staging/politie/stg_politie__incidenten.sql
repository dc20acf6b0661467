select
    _delivery_id as delivery_id,
    _line as bronregel,
    incidentnummer,
    meldingsdatum,
    incidentcode,
    categorie,
    buurtcode,
    incidentcode = 'E33' as is_e33,
    categorie = 'overlast jeugd' as is_overlast_jeugd
from {{ source('politie', 'incidenten') }}
