-- day_branch: the branch of each member with transfers on each of their town's period days: the
-- latest spell that started on or before that day (members without transfers: the roster's branch).
WITH days AS (
    SELECT DISTINCT town, period_day FROM period_days
),
candidates AS (
    SELECT sp.member_no, d.period_day, sp.branch_no,
           ROW_NUMBER() OVER (
               PARTITION BY sp.member_no, d.period_day
               ORDER BY sp.start_day DESC, sp.seq DESC
           ) AS latest
    FROM spells sp
    JOIN roster r ON r.member_no = sp.member_no
    JOIN days d ON d.town = r.town AND sp.start_day <= d.period_day
)
SELECT member_no, period_day, branch_no
FROM candidates
WHERE latest = 1
