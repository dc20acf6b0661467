select
    _delivery_id as delivery_id,
    _line as bronregel,
    persoon_pseudoniem,
    regeling,
    toekenningsdatum,
    bedrag,
    buurtcode
from {{ source('sdd', 'minimaregelingen') }}
