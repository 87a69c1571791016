-- study_totals, per scope of the study family:
--   periods       = 青年大学习 periods of the year,
--   learner_times = distinct (person, period) pairs over those periods, members and non-members,
--   never         = members active on Y-01-01 and on Y-12-31 credited in no period of the year.
WITH scope_list AS (
    SELECT DISTINCT scope FROM scopes WHERE family = 'study'
),
period_counts AS (
    SELECT scope, COUNT(*) AS periods, SUM(persons) AS learner_times
    FROM periods
    GROUP BY scope
),
studied AS (
    SELECT p.scope, c.member_no
    FROM credited c
    JOIN roster r ON r.member_no = c.member_no
    JOIN scopes s ON s.family = 'study' AND s.town = r.town
    JOIN periods p ON p.scope = s.scope AND p.period_no = c.period_no
    GROUP BY p.scope, c.member_no
),
never AS (
    SELECT s.scope, COUNT(*) AS never
    FROM roster r
    JOIN scopes s ON s.family = 'study' AND s.town = r.town
    LEFT JOIN studied d ON d.scope = s.scope AND d.member_no = r.member_no
    WHERE r.active_from <= ${year_start} AND ${year_start} < r.active_until
      AND r.active_from <= ${year_end} AND ${year_end} < r.active_until
      AND d.member_no IS NULL
    GROUP BY s.scope
)
SELECT q.scope,
       COALESCE(c.periods, 0) AS periods,
       CAST(COALESCE(c.learner_times, 0) AS BIGINT) AS learner_times,
       COALESCE(n.never, 0) AS never
FROM scope_list q
LEFT JOIN period_counts c ON c.scope = q.scope
LEFT JOIN never n ON n.scope = q.scope
