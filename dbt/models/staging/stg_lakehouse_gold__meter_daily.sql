select
    meter_id::text                        as meter_id,
    region::text                          as region,
    customer_type::text                   as customer_type,
    date_local::date                      as date_local,
    energy_kwh::double precision          as energy_kwh,
    cost_eur::double precision            as cost_eur,
    unpriced_energy_kwh::double precision as unpriced_energy_kwh,
    intervals::integer                    as intervals,
    intervals_with_energy::integer        as intervals_with_energy,
    estimated_intervals::integer          as estimated_intervals,
    expected_intervals::integer           as expected_intervals,
    interval_min::integer                 as interval_min,
    _published_at                         as published_at
from {{ source('lakehouse_gold', 'meter_daily') }}
