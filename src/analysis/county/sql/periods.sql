-- periods: the 青年大学习 periods of the year per scope: those whose median record time falls in it.
-- period_day is the median time's calendar date (members active on that day are the period's
-- denominator); persons feeds study.learner_times.
WITH dated AS (
    SELECT scope, period, period_no, persons, median_us,
           make_timestamp(CAST(FLOOR(median_us) AS BIGINT)) AS median_time
    FROM period_stats
    WHERE median_us IS NOT NULL
)
SELECT scope, period, period_no, persons, median_us,
       CAST(CAST(median_time AS DATE) AS TIMESTAMP) AS period_day
FROM dated
WHERE EXTRACT(YEAR FROM median_time) = ${year}
