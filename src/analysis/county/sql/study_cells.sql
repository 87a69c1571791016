-- study_cells: the terms of 参学率 per scope, period and branch (a member's branch on the period's day):
--   denominator = members active on the period's day,
--   numerator   = those of them credited with at least one record in the period.
-- A branch without active members on a period's day has no row for that period.
-- Both sides are counted separately so that the large credited relation is only ever probed against
-- small tables (periods, roster) and never held in memory.
WITH active AS (
    SELECT p.scope, p.period, p.period_day, r.town,
           COALESCE(m.branch, r.branch) AS branch,
           COUNT(*) AS denominator
    FROM periods p
    JOIN scopes s ON s.family = 'study' AND s.scope = p.scope
    JOIN roster r ON r.town = s.town
    LEFT JOIN period_branch m
           ON m.scope = p.scope AND m.period = p.period AND m.town = r.town AND m.member_id = r.member_id
    WHERE r.active_from <= p.period_day AND p.period_day < r.active_until
    GROUP BY p.scope, p.period, p.period_day, r.town, COALESCE(m.branch, r.branch)
),
studied AS (
    SELECT p.scope, p.period, r.town,
           COALESCE(m.branch, r.branch) AS branch,
           COUNT(*) AS numerator
    FROM credited c
    JOIN scopes s ON s.family = 'study' AND s.town = c.town
    JOIN periods p ON p.scope = s.scope AND p.period = c.period
    JOIN roster r ON r.town = c.town AND r.member_id = c.member_id
    LEFT JOIN period_branch m
           ON m.scope = p.scope AND m.period = p.period AND m.town = r.town AND m.member_id = r.member_id
    WHERE r.active_from <= p.period_day AND p.period_day < r.active_until
    GROUP BY p.scope, p.period, r.town, COALESCE(m.branch, r.branch)
)
SELECT a.scope, a.period, a.period_day, a.town, a.branch,
       COALESCE(d.numerator, 0) AS numerator, a.denominator
FROM active a
LEFT JOIN studied d
       ON d.scope = a.scope AND d.period = a.period AND d.town = a.town AND d.branch = a.branch
