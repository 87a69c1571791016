-- periods: the 青年大学习 periods of the year per scope: those whose median record time falls in it.
-- period_day is the median time's calendar date (members active on that day are the period's
-- denominator); persons feeds study.learner_times.
WITH dated AS (
    SELECT scope, period, persons, median_us,
           make_timestamp(CAST(FLOOR(median_us) AS BIGINT)) AS median_time
    FROM period_stats
    WHERE median_us IS NOT NULL
)
SELECT d.scope, d.period, l.period_no, d.persons, d.median_us,
       CAST(CAST(d.median_time AS DATE) AS TIMESTAMP) AS period_day
FROM dated d
JOIN period_labels l ON l.period = d.period
WHERE EXTRACT(YEAR FROM d.median_time) = ${year}
