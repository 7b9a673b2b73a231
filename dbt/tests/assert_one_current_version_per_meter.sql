-- Every meter in the registry has exactly one current dim_meter version, and versions never overlap.
select meter_id, 'current versions' as problem, count(*) as n
from {{ ref('dim_meter') }}
where is_current
group by meter_id
having count(*) <> 1

union all

select a.meter_id, 'overlapping versions', count(*)
from {{ ref('dim_meter') }} as a
join {{ ref('dim_meter') }} as b
    on a.meter_id = b.meter_id and a.version_number < b.version_number
    and a.valid_from_date < b.valid_to_date and b.valid_from_date < a.valid_to_date
group by a.meter_id
