select
    buurtcode,
    buurtnaam,
    wijkcode,
    wijknaam,
    gemeentecode,
    gemeentenaam,
    inwoners_2023,
    inwoners_2024,
    oppervlakte_land_ha_2023,
    geregistreerde_misdrijven_2023
from {{ ref('cbs_buurten_dordrecht') }}
