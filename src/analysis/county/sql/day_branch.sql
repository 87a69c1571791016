-- day_branch: the branch of each member with transfers on each of their town's period days: the
-- latest spell that started on or before that day (members without transfers: the roster's branch).
WITH days AS (
    SELECT DISTINCT town, period_day FROM period_days
),
candidates AS (
    SELECT d.town, d.period_day, sp.member_id, sp.branch,
           ROW_NUMBER() OVER (
               PARTITION BY d.town, d.period_day, sp.member_id
               ORDER BY sp.start_day DESC, sp.seq DESC
           ) AS latest
    FROM days d
    JOIN spells sp ON sp.town = d.town AND sp.start_day <= d.period_day
)
SELECT town, period_day, member_id, branch
FROM candidates
WHERE latest = 1
