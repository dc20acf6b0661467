select
    indicator_code,
    naam,
    pijler,
    eenheid,
    factor,
    teller_reeks,
    teller_dataset,
    noemer,
    richting,
    bron,
    definitie
from {{ ref('indicatoren') }}
