{#- Figures per buurt on 1 January (OCD's population and households), summed per area and year
    over the buurten that belong to the area on that date (int_gebieden__buurt_lidmaatschap: the
    buurt itself, its wijk, the municipality and, while it is a member, Dordt West).

    buurt_figures: relation with buurtcode, peildatum, jaar and delivery_id (one OCD delivery a
    year); membership: int_gebieden__buurt_lidmaatschap; sums: one entry per output column, in
    order, {'name': column, 'sum': column of buurt_figures, 'where': optional condition on the
    columns of buurt_figures}. One row per area × year: gebiedscode, jaar, the sums, and
    leveringen (the deliveries summed). -#}
{% macro sum_per_area_and_year(buurt_figures, membership, sums) %}
with buurtcijfers as (
    select * from {{ buurt_figures }}
),

lidmaatschap as (
    select * from {{ membership }}
)

select
    lidmaatschap.gebiedscode,
    buurtcijfers.jaar,
    {%- for s in sums %}
    sum(buurtcijfers.{{ s.sum }}){% if s.where %} filter (where buurtcijfers.{{ s.where }}){% endif %} as {{ s.name }},
    {%- endfor %}
    array_agg(distinct buurtcijfers.delivery_id order by buurtcijfers.delivery_id) as leveringen
from buurtcijfers
inner join lidmaatschap
    on
        buurtcijfers.buurtcode = lidmaatschap.buurtcode
        and buurtcijfers.peildatum between lidmaatschap.geldig_van and lidmaatschap.geldig_tot
group by lidmaatschap.gebiedscode, buurtcijfers.jaar
{% endmacro %}
