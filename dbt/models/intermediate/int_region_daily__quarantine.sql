-- Per region and local day: quarantined records attributable to the region (meter lines of its
-- meters, its weather city). Records without a region are counted in fct_daily_quarantine only.
select
    region,
    date_local,
    sum(records) as quarantined_records
from {{ ref('stg_lakehouse_gold__quarantine_daily') }}
where region is not null
group by region, date_local
