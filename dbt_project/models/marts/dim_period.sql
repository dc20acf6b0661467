select
    periode_code,
    periodetype,
    jaar,
    kwartaal,
    begindatum,
    einddatum,
    make_date(jaar, 1, 1) as peildatum_bevolking
from {{ ref('int_perioden') }}
