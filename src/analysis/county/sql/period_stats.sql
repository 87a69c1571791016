-- period_stats: per scope (each town alone, and the county: every town with records) and period:
--   persons   = distinct persons with a record in the period (a person is the matched member, else the
--               record's (branch, normalised name or identity): ingest's person_key, unique within its
--               town only, so a person is (town, person_key)),
--   median_us = the median (midpoint for an even count) of the persons' first record times, in
--               microseconds since 1970 (persons without a timed record are left out; NULL if none).
-- Persons are numbered first, so the large person × period grouping works on numbers; both scopes
-- come from one pass (GROUPING SETS).
WITH persons AS (
    SELECT x.town, t.town_no, x.person_key,
           CAST(ROW_NUMBER() OVER (ORDER BY x.town, x.person_key) AS BIGINT) AS person_no
    FROM (SELECT DISTINCT town, person_key FROM study_records) x
    JOIN towns t ON t.town = x.town
),
person_periods AS (
    SELECT p.town_no, p.person_no, l.period_no, MIN(epoch_us(s.recorded_at)) AS first_us
    FROM study_records s
    JOIN persons p ON p.town = s.town AND p.person_key = s.person_key
    JOIN period_labels l ON l.period = s.period
    GROUP BY p.town_no, p.person_no, l.period_no
),
stats AS (
    SELECT town_no, period_no, GROUPING(town_no) AS whole,
           COUNT(*) AS persons,
           PERCENTILE_CONT(0.5) WITHIN GROUP (ORDER BY first_us) AS median_us
    FROM person_periods
    GROUP BY GROUPING SETS ((town_no, period_no), (period_no))
)
SELECT CASE WHEN s.whole = 1 THEN ${county} ELSE t.town END AS scope,
       l.period, s.period_no, s.persons, s.median_us
FROM stats s
JOIN period_labels l ON l.period_no = s.period_no
LEFT JOIN towns t ON t.town_no = s.town_no
