select
    _delivery_id as delivery_id,
    _line as bronregel,
    persoon_pseudoniem,
    peildatum,
    regeling,
    ingangsdatum,
    huishoudtype,
    geboortejaar,
    buurtcode,
    extract(year from peildatum)::integer - geboortejaar as leeftijd_in_peiljaar
from {{ source('sdd', 'uitkeringen') }}
