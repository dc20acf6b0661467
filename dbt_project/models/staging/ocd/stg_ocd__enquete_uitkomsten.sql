{%- set monitors = ['veiligheidsmonitor', 'gezondheidsmonitor', 'woonmonitor'] %}
{%- for monitor in monitors %}
    select
        _delivery_id as delivery_id,
        _line as bronregel,
        '{{ monitor }}' as monitor,
        indicator as ocd_code,
        omschrijving,
        gebiedscode,
        gebied,
        waarde,
        eenheid,
        respondenten,
        ondergrens,
        bovengrens,
        opmerking
    from {{ source('ocd', monitor) }}
    {% if not loop.last %}union all{% endif %}
{%- endfor %}
