select
    date_local::date  as date_local,
    source::text      as source,
    reason::text      as reason,
    region::text      as region,
    records::bigint   as records,
    _published_at     as published_at
from {{ source('lakehouse_gold', 'quarantine_daily') }}
