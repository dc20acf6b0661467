-- The calendar of reporting periods, from kalender_beginjaar to doeljaar (2015-2043): every quarter,
-- every year, and every rolling year (the four quarters up to and including a quarter: what a
-- quarterly report compares with an annual baseline).
with jaren as (
    select generate_series({{ var("kalender_beginjaar") }}, {{ var("doeljaar") }}) as jaar
),

kwartalen as (
    select
        jaar,
        generate_series(1, 4) as kwartaal
    from jaren
)

select
    jaar || '-Q' || kwartaal as periode_code,
    'kwartaal' as periodetype,
    jaar,
    kwartaal,
    make_date(jaar, 3 * kwartaal - 2, 1) as begindatum,
    (make_date(jaar, 3 * kwartaal - 2, 1) + interval '3 months - 1 day')::date as einddatum
from kwartalen

union all

select
    jaar::text as periode_code,
    'jaar' as periodetype,
    jaar,
    null as kwartaal,
    make_date(jaar, 1, 1) as begindatum,
    make_date(jaar, 12, 31) as einddatum
from jaren

union all

select
    jaar || '-Q' || kwartaal || '-4KW' as periode_code,
    'voortschrijdend jaar' as periodetype,
    jaar,
    kwartaal,
    (make_date(jaar, 3 * kwartaal - 2, 1) - interval '9 months')::date as begindatum,
    (make_date(jaar, 3 * kwartaal - 2, 1) + interval '3 months - 1 day')::date as einddatum
from kwartalen
