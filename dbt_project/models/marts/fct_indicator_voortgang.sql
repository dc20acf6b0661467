-- Progress towards 2043 per indicator × programme area × period. The path runs in a straight
-- line from the baseline (value at the end of its year) to the goal (at the end of 2043); the status compares the value
-- with the path value of its period, in the indicator's direction. A survey figure is only
-- "niet op koers" when it misses the path by more than its confidence margin.
with basis as (
    select * from {{ ref('int_voortgang__basis') }}
),

doeltypen as (
    select * from {{ ref('doeltypen') }}
),

eenheden as (
    select * from {{ ref('eenheden') }}
),

doelen as (
    select
        basis.*,
        eenheden.soort as eenheid_soort,
        case
            when basis.doel_type = 'gelijk_aan_dordrecht' then basis.waarde_dordrecht
            when basis.doel_type in ('drempel_max', 'drempel_min') then basis.doel_waarde
            when basis.doel_type = 'verbeteren' then basis.nulmeting_waarde
            -- relatieve_daling needs the base year's value, which the document does not give
        end as doel_2043,
        coalesce(doeltypen.doelrichting, basis.richting) as doelrichting,
        least(1.0, greatest(
            0.0,
            (basis.periode_tijd - (basis.nulmeting_jaar + 1)) / nullif({{ var("doeljaar") }} - basis.nulmeting_jaar, 0)
        )) as afgelegd
    from basis
    left join doeltypen on basis.doel_type = doeltypen.doel_type
    left join eenheden on basis.eenheid = eenheden.eenheid
),

paden as (
    select
        doelen.*,
        round(doelen.nulmeting_waarde + (doelen.doel_2043 - doelen.nulmeting_waarde) * doelen.afgelegd, 6) as padwaarde,
        coalesce((doelen.bovengrens - doelen.ondergrens) / 2, 0) as marge
    from doelen
),

tekort as (
    -- how far the value is on the wrong side of the path (positive = behind)
    select
        paden.*,
        case paden.doelrichting
            when 'lager is beter' then paden.waarde - paden.padwaarde
            when 'hoger is beter' then paden.padwaarde - paden.waarde
            else abs(paden.waarde - paden.doel_2043) - abs(paden.padwaarde - paden.doel_2043)
        end as achterstand
    from paden
)

select
    indicator_code,
    gebiedscode,
    periode_code,
    waarde,
    eenheid,
    nulmeting_waarde,
    nulmeting_jaar,
    nulmeting_bron,
    round(waarde - nulmeting_waarde, 6) as verandering_sinds_nulmeting,
    waarde_dordrecht,
    round(waarde - waarde_dordrecht, 6) as verschil_met_dordrecht,
    doel_type,
    doel_2043,
    padwaarde,
    case
        when waarde is null then 'geen data'
        when gebiedscode = '{{ var("gemeente_code") }}' and doel_type = 'gelijk_aan_dordrecht' then 'niet vergelijkbaar'
        when doel_type = 'geen_meetbaar_doel' then 'niet vergelijkbaar'
        when periodetype = 'kwartaal' and eenheid_soort <> 'aandeel' and soort_bron <> 'enquete'
            then 'niet vergelijkbaar'
        when doel_type = 'relatieve_daling' then 'niet vergelijkbaar'
        when doel_type = 'gelijk_aan_dordrecht' and eenheid_soort = 'aantal' then 'niet vergelijkbaar'
        when doel_type = 'verbeteren' and doelrichting = 'neutraal' then 'niet vergelijkbaar'
        when nulmeting_waarde is null or doel_2043 is null then 'geen data'
        when doel_type = 'gelijk_aan_dordrecht' and doelrichting = 'lager is beter' and waarde <= waarde_dordrecht
            then 'op koers'
        when doel_type = 'gelijk_aan_dordrecht' and doelrichting = 'hoger is beter' and waarde >= waarde_dordrecht
            then 'op koers'
        when achterstand <= 0 then 'op koers'
        when soort_bron = 'enquete' and achterstand <= marge then 'op koers'
        else 'niet op koers'
    end as status,
    case
        when waarde is null then 'geen waarde voor deze periode'
        when gebiedscode = '{{ var("gemeente_code") }}' and doel_type = 'gelijk_aan_dordrecht'
            then 'Dordrecht is de referentie van dit doel'
        when doel_type = 'geen_meetbaar_doel' then 'geen meetbaar doel voor 2043'
        when periodetype = 'kwartaal' and eenheid_soort <> 'aandeel' and soort_bron <> 'enquete'
            then
                'kwartaalcijfer tegenover een jaarcijfer als nulmeting: zie het voortschrijdend jaar '
                || periode_code
                || '-4KW'
        when doel_type = 'relatieve_daling'
            then
                'doel is een daling t.o.v. ' || doel_basisjaar || '; de waarde van ' || doel_basisjaar || ' is onbekend'
        when doel_type = 'gelijk_aan_dordrecht' and eenheid_soort = 'aantal'
            then 'een aantal is niet te vergelijken met het gemiddelde van Dordrecht'
        when
            doel_type = 'verbeteren' and doelrichting = 'neutraal'
            then 'neutrale indicator: verbetering niet gedefinieerd'
        when nulmeting_waarde is null then 'geen nulmeting voor dit gebied'
        when doel_2043 is null then 'geen doelwaarde (geen waarde voor Dordrecht in deze periode)'
        when soort_bron = 'enquete' and achterstand > 0 and achterstand <= marge
            then 'verschil met het pad valt binnen de betrouwbaarheidsmarge'
        when soort_bron = 'enquete' and marge = 0 then 'enquete zonder betrouwbaarheidsinterval'
    end as status_toelichting
from tekort
