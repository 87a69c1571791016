-- periods: the 青年大学习 periods of the year, per scope (each town alone; the county: all its towns'
-- records together). median_us is the median (midpoint for an even count) of the first record times
-- of the period's persons, members and non-members alike; period_day is that timestamp's calendar
-- date. A period belongs to the year when its median time falls in it.
WITH medians AS (
    SELECT s.scope, p.period,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY p.first_us) AS median_us
    FROM person_period p
    JOIN scopes s ON s.family = 'study' AND s.town = p.town
    WHERE p.first_us IS NOT NULL
    GROUP BY s.scope, p.period
),
dated AS (
    SELECT scope, period, median_us,
           make_timestamp(CAST(FLOOR(median_us) AS BIGINT)) AS median_time
    FROM medians
)
SELECT scope, period, median_us, CAST(CAST(median_time AS DATE) AS TIMESTAMP) AS period_day
FROM dated
WHERE EXTRACT(YEAR FROM median_time) = ${year}
