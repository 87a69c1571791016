-- study_cells: the terms of 参学率 per scope, period and branch: each scope's periods with the terms of
-- its towns' branches on the period's day (study_days), with the names back in place of the numbers.
SELECT p.scope, p.period, p.period_day, b.town, b.branch, d.numerator, d.denominator
FROM periods p
JOIN study_days d ON d.period_no = p.period_no AND d.period_day = p.period_day
JOIN branches b ON b.branch_no = d.branch_no
JOIN scopes s ON s.family = 'study' AND s.scope = p.scope AND s.town = b.town
