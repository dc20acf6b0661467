select
    gebiedscode,
    gebiedsnaam,
    niveau,
    niveau_volgorde,
    wijkcode,
    gemeentecode
from {{ ref('int_gebieden') }}
