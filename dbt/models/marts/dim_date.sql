-- Calendar of local days with Kosovo public holidays and the day's length (23/25 h on DST days).
with days as (
    select day::date as date_day
    from generate_series(
        date '{{ var("calendar_start") }}', date '{{ var("calendar_end") }}', interval '1 day'
    ) as day
)

select
    days.date_day,
    extract(year from days.date_day)::integer as year,
    extract(quarter from days.date_day)::integer as quarter,
    extract(month from days.date_day)::integer as month,
    trim(to_char(days.date_day, 'Month')) as month_name,
    extract(day from days.date_day)::integer as day_of_month,
    extract(isodow from days.date_day)::integer as iso_weekday,
    trim(to_char(days.date_day, 'Day')) as day_name,
    extract(week from days.date_day)::integer as iso_week,
    extract(isodow from days.date_day) >= 6 as is_weekend,
    holidays.holiday_date is not null as is_holiday,
    holidays.holiday_name,
    extract(isodow from days.date_day) < 6 and holidays.holiday_date is null as is_working_day,
    (extract(epoch from
        ((days.date_day + 1)::timestamp at time zone '{{ var("local_timezone") }}')
        - (days.date_day::timestamp at time zone '{{ var("local_timezone") }}')
    ) / 3600)::integer as hours_in_day
from days
left join {{ ref('kosovo_holidays') }} as holidays on holidays.holiday_date = days.date_day
