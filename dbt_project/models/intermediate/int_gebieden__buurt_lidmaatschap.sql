-- Which areas a buurt counts towards, and when: itself, its wijk, the municipality and,
-- while the focus-area configuration says so, Dordt West.
with buurten as (
    select * from {{ ref('stg_cbs__buurten') }}
),

focusgebied as (
    select * from {{ ref('focusgebied_buurten') }}
    where hoort_erbij
),

altijd as (
    select
        buurtcode,
        buurtcode as gebiedscode
    from buurten
    union all
    select
        buurtcode,
        wijkcode
    from buurten
    union all
    select
        buurtcode,
        gemeentecode
    from buurten
)

select
    buurtcode,
    gebiedscode,
    date '1900-01-01' as geldig_van,
    date '9999-12-31' as geldig_tot
from altijd

union all

select
    buurtcode,
    focusgebied_code as gebiedscode,
    geldig_van,
    coalesce(geldig_tot, date '9999-12-31') as geldig_tot
from focusgebied
