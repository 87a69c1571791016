-- study_days: the terms of 参学率 per town, period, period day and branch (a member's branch on that day):
--   denominator = members active on the day,
--   numerator   = those of them credited with at least one record in the period.
-- A branch without active members on the day has no row. The two sides are counted separately so
-- that the large credited relation is only probed against small tables (period days, roster).
WITH active AS (
    SELECT d.town, d.period, d.period_day, r.member_id, r.branch, r.moved
    FROM period_days d
    JOIN roster r ON r.town = d.town
    WHERE r.active_from <= d.period_day AND d.period_day < r.active_until
),
active_branch AS (
    SELECT town, period, period_day, branch FROM active WHERE NOT moved
    UNION ALL
    SELECT a.town, a.period, a.period_day, b.branch
    FROM active a
    JOIN day_branch b ON b.town = a.town AND b.period_day = a.period_day AND b.member_id = a.member_id
    WHERE a.moved
),
denominators AS (
    SELECT town, period, period_day, branch, COUNT(*) AS denominator
    FROM active_branch
    GROUP BY town, period, period_day, branch
),
credited_active AS (
    SELECT d.town, d.period, d.period_day, r.member_id, r.branch, r.moved
    FROM credited c
    JOIN period_days d ON d.town = c.town AND d.period = c.period
    JOIN roster r ON r.town = c.town AND r.member_id = c.member_id
    WHERE r.active_from <= d.period_day AND d.period_day < r.active_until
),
credited_branch AS (
    SELECT town, period, period_day, branch FROM credited_active WHERE NOT moved
    UNION ALL
    SELECT a.town, a.period, a.period_day, b.branch
    FROM credited_active a
    JOIN day_branch b ON b.town = a.town AND b.period_day = a.period_day AND b.member_id = a.member_id
    WHERE a.moved
),
numerators AS (
    SELECT town, period, period_day, branch, COUNT(*) AS numerator
    FROM credited_branch
    GROUP BY town, period, period_day, branch
)
SELECT a.town, a.period, a.period_day, a.branch, COALESCE(n.numerator, 0) AS numerator, a.denominator
FROM denominators a
LEFT JOIN numerators n
       ON n.town = a.town AND n.period = a.period AND n.period_day = a.period_day AND n.branch = a.branch
