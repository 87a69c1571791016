-- cadre_cells: the terms of cadre.checkin_rate per scope of the cadre family and month of Y present in
-- the check-in exports (of the scope's towns):
--   denominator = 团干部 on the roster active at the month's end,
--   numerator   = those of them with a check-in that month (matched, never ambiguously).
-- Check-in rows of people not on the roster are not counted.
WITH months AS (
    SELECT DISTINCT s.scope, c.month
    FROM cadre_checkins c
    JOIN scopes s ON s.family = 'cadre' AND s.town = c.town
    WHERE EXTRACT(YEAR FROM c.month) = ${year}
),
due AS (
    SELECT m.scope, m.month, r.town, r.member_id
    FROM months m
    JOIN scopes s ON s.family = 'cadre' AND s.scope = m.scope
    JOIN roster r ON r.town = s.town
    WHERE r.is_cadre
      AND r.active_from <= CAST(last_day(m.month) AS TIMESTAMP)
      AND CAST(last_day(m.month) AS TIMESTAMP) < r.active_until
),
done AS (
    SELECT DISTINCT town, month, member_id
    FROM cadre_checkins
    WHERE COALESCE(checked_in, FALSE)
      AND member_id IS NOT NULL
      AND COALESCE(match_kind, '') <> 'ambiguous'
      AND EXTRACT(YEAR FROM month) = ${year}
)
SELECT u.scope, u.month, COUNT(d.member_id) AS numerator, COUNT(*) AS denominator
FROM due u
LEFT JOIN done d ON d.town = u.town AND d.month = u.month AND d.member_id = u.member_id
GROUP BY u.scope, u.month
