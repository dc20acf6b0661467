select
    _delivery_id as delivery_id,
    _line as bronregel,
    registratienummer,
    verdachtennummer,
    geboortejaar,
    woonbuurtcode,
    registratiedatum,
    extract(year from registratiedatum)::integer - geboortejaar as leeftijd_in_registratiejaar
from {{ source('politie', 'verdachten') }}
