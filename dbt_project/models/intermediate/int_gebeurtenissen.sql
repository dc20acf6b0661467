-- All events that indicator series count, from every partner (one row per series × counted unit).
select
    reeks,
    eenheid_id,
    buurtcode,
    datum,
    delivery_id
from {{ ref('int_politie__gebeurtenissen') }}

union all

select
    reeks,
    eenheid_id,
    buurtcode,
    datum,
    delivery_id
from {{ ref('int_sdd__gebeurtenissen') }}
