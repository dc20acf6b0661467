-- Inhabitants on 1 January per area and year (all ages, 0–24 and 0–26), summed over the buurten
-- that belong to the area on that date.
{{ sum_per_area_and_year(
    ref('stg_ocd__bevolking'),
    ref('int_gebieden__buurt_lidmaatschap'),
    [
        {'name': 'inwoners', 'sum': 'inwoners'},
        {'name': 'inwoners_0_24', 'sum': 'inwoners', 'where': 'leeftijd < 25'},
        {'name': 'inwoners_0_26', 'sum': 'inwoners', 'where': 'leeftijd < 27'},
    ],
) }}
