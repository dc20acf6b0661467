select
    delivery_id,
    partner,
    dataset,
    file_name,
    sha256,
    period,
    period_start,
    period_end,
    status,
    rows_loaded,
    received_at,
    loaded_at,
    superseded_by
from {{ source('mdw_meta', 'load_ledger') }}
