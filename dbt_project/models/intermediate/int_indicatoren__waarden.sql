-- Every indicator value per indicator × area × period: computed by the platform from the
-- partners' records (police, SDD, BLIK), or delivered ready-made by OCD (surveys, kerncijfers).
-- The rows of marts.fct_indicator_values, and what the progress towards 2043 starts from.
with berekend as (
    select * from {{ ref('int_indicatoren__berekend') }}
),

geleverd as (
    select * from {{ ref('int_ocd__waarden') }}
)

select * from berekend
union all
select * from geleverd
