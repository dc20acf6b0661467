-- Indicator values the platform computes from the partners' records (police, SDD, BLIK), per
-- indicator × area × period for every period the numerator's dataset fully covers. Rates divide
-- summed counts (never averages of rates); the population is that of 1 January of the period's
-- year. No denominator (missing population) gives no value.
with berekening as (
    select * from {{ ref('indicator_berekening') }}
),

catalogus as (
    select * from {{ ref('indicator_catalogus') }}
),

indicatoren as (
    select
        berekening.*,
        catalogus.eenheid,
        catalogus.gebiedsniveaus
    from berekening
    inner join catalogus on berekening.indicator_code = catalogus.indicator_code
),

gebieden as (
    select * from {{ ref('int_gebieden') }}
),

gedekt as (
    select * from {{ ref('int_leveringen__gedekte_perioden') }}
),

tellingen as (
    select * from {{ ref('int_reeks__tellingen') }}
),

bevolking as (
    select * from {{ ref('int_bevolking__gebied_jaar') }}
),

huishoudens as (
    select * from {{ ref('int_huishoudens__gebied_jaar') }}
),

rooster as (
    select
        indicatoren.indicator_code,
        indicatoren.teller_reeks,
        indicatoren.noemer,
        indicatoren.factor,
        indicatoren.eenheid,
        gebieden.gebiedscode,
        gedekt.periode_code,
        gedekt.jaar,
        gedekt.is_definitief,
        gedekt.leveringen
    from indicatoren
    inner join gedekt on indicatoren.teller_dataset = gedekt.dataset
    -- only at the area levels the indicator exists at (BLIK knows wijken, not buurten)
    inner join gebieden on position(gebieden.niveau in indicatoren.gebiedsniveaus) > 0
),

berekend as (
    select
        rooster.*,
        coalesce(teller.aantal, 0) as teller_waarde,
        case
            when rooster.noemer = 'bevolking' then bevolking.inwoners
            when rooster.noemer = 'bevolking_0_24' then bevolking.inwoners_0_24
            when rooster.noemer = 'bevolking_0_26' then bevolking.inwoners_0_26
            when rooster.noemer = 'huishoudens_laag_inkomen' then huishoudens.huishoudens_laag_inkomen
            when rooster.noemer like 'reeks:%' then coalesce(noemer_reeks.aantal, 0)
        end as noemer_waarde,
        case
            when rooster.noemer like 'bevolking%' then bevolking.leveringen
            when rooster.noemer like 'huishoudens%' then huishoudens.leveringen
        end as noemer_leveringen
    from rooster
    left join tellingen as teller
        on
            rooster.teller_reeks = teller.reeks
            and rooster.gebiedscode = teller.gebiedscode
            and rooster.periode_code = teller.periode_code
    left join tellingen as noemer_reeks
        on
            substr(rooster.noemer, 7) = noemer_reeks.reeks
            and rooster.gebiedscode = noemer_reeks.gebiedscode
            and rooster.periode_code = noemer_reeks.periode_code
    left join bevolking
        on
            rooster.gebiedscode = bevolking.gebiedscode
            and rooster.jaar = bevolking.jaar
    left join huishoudens
        on
            rooster.gebiedscode = huishoudens.gebiedscode
            and rooster.jaar = huishoudens.jaar
)

select
    indicator_code,
    gebiedscode,
    periode_code,
    case
        when noemer is null then teller_waarde::numeric
        when noemer_waarde > 0 then round(teller_waarde::numeric * factor / noemer_waarde, 6)
    end as waarde,
    teller_waarde::numeric as teller,
    noemer_waarde::numeric as noemer,
    eenheid,
    case when is_definitief then 'definitief' else 'voorlopig' end as status,
    array(
        select distinct levering from unnest(leveringen || coalesce(noemer_leveringen, '{}')) as levering
        order by levering
    ) as leveringen,
    null::numeric as ondergrens,
    null::numeric as bovengrens,
    null::integer as respondenten
from berekend
