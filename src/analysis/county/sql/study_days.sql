-- study_days: the terms of 参学率 per period, period day and branch (a member's branch on that day):
--   denominator = members active on the day,
--   numerator   = those of them credited with at least one record in the period.
-- A branch without active members on the day has no row. Towns, members, periods and branches are
-- handled by their numbers. The two sides are counted separately, and the large credited relation is
-- only probed against small tables (period days, roster, the branches of members with transfers).
WITH denominators AS (
    SELECT d.period_no, d.period_day, COALESCE(m.branch_no, r.branch_no) AS branch_no,
           COUNT(*) AS denominator
    FROM period_days d
    JOIN roster r ON r.town_no = d.town_no
    LEFT JOIN day_branch m ON m.member_no = r.member_no AND m.period_day = d.period_day
    WHERE r.active_from <= d.period_day AND d.period_day < r.active_until
    GROUP BY d.period_no, d.period_day, COALESCE(m.branch_no, r.branch_no)
),
numerators AS (
    SELECT d.period_no, d.period_day, COALESCE(m.branch_no, r.branch_no) AS branch_no,
           COUNT(*) AS numerator
    FROM credited c
    JOIN period_days d ON d.town_no = c.town_no AND d.period_no = c.period_no
    JOIN roster r ON r.member_no = c.member_no
    LEFT JOIN day_branch m ON m.member_no = c.member_no AND m.period_day = d.period_day
    WHERE r.active_from <= d.period_day AND d.period_day < r.active_until
    GROUP BY d.period_no, d.period_day, COALESCE(m.branch_no, r.branch_no)
)
SELECT a.period_no, a.period_day, a.branch_no, COALESCE(n.numerator, 0) AS numerator, a.denominator
FROM denominators a
LEFT JOIN numerators n
       ON n.period_no = a.period_no AND n.period_day = a.period_day AND n.branch_no = a.branch_no
