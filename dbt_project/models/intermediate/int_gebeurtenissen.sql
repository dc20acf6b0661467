-- All events that indicator series count, from every partner (one row per series × event ×
-- counted unit; an event is a line of a delivery).
-- An event has a buurt (police, SDD) or only a wijk (BLIK), or neither (counts for Dordrecht only).
select
    reeks,
    eenheid_id,
    buurtcode,
    null::text as wijkcode,
    datum,
    delivery_id,
    bronregel
from {{ ref('int_politie__gebeurtenissen') }}

union all

select
    reeks,
    eenheid_id,
    buurtcode,
    null::text as wijkcode,
    datum,
    delivery_id,
    bronregel
from {{ ref('int_sdd__gebeurtenissen') }}

union all

select
    reeks,
    eenheid_id,
    null::text as buurtcode,
    wijkcode,
    datum,
    delivery_id,
    bronregel
from {{ ref('int_blik__gebeurtenissen') }}
