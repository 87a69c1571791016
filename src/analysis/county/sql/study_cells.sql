-- study_cells: the terms of 参学率 per scope, period and branch: each scope's periods with the terms of
-- its towns on the period's day (study_days).
SELECT p.scope, p.period, p.period_day, d.town, d.branch, d.numerator, d.denominator
FROM periods p
JOIN scopes s ON s.family = 'study' AND s.scope = p.scope
JOIN study_days d ON d.town = s.town AND d.period = p.period AND d.period_day = p.period_day
