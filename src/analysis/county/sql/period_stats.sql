-- period_stats: per scope (each town alone, and the county: every town with records) and period:
--   persons   = distinct persons with a record in the period (a person is the matched member, else the
--               record's (branch, normalised name or identity): ingest's person_key, unique within its
--               town only, so a person is (town, person_key)),
--   median_us = the median (midpoint for an even count) of the persons' first record times, in
--               microseconds since 1970 (persons without a timed record are left out; NULL if none).
-- One pass over the records: the person-level rows feed both grouping sets.
WITH persons AS (
    SELECT town, period, person_key, MIN(epoch_us(recorded_at)) AS first_us
    FROM study_records
    GROUP BY town, period, person_key
)
SELECT
    CASE WHEN GROUPING(town) = 1 THEN ${county} ELSE town END AS scope,
    period,
    COUNT(*) AS persons,
    PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY first_us) AS median_us
FROM persons
GROUP BY GROUPING SETS ((town, period), (period))
