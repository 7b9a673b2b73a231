-- The report day in the calendar: weekday, holiday, and how many hours it has (23/24/25).
SELECT date_day, day_name, is_holiday, holiday_name, hours_in_day
FROM warehouse.marts.dim_date
WHERE date_day = {day}
