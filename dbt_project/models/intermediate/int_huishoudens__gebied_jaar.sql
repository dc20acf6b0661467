-- Households on 1 January per area and year (all, and with a low income: the denominator of
-- the reach of minima schemes), summed over the buurten that belong to the area on that date.
{{ sum_per_area_and_year(
    ref('stg_ocd__huishoudens'),
    ref('int_gebieden__buurt_lidmaatschap'),
    [
        {'name': 'huishoudens', 'sum': 'huishoudens'},
        {'name': 'huishoudens_laag_inkomen', 'sum': 'huishoudens_laag_inkomen'},
    ],
) }}
