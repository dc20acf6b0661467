{#- Generic test: a boolean SQL expression holds for every row. -#}
{% test expression_is_true(model, expression) %}
select * from {{ model }} where not ({{ expression }})
{% endtest %}
