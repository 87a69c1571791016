-- period_days: for each town, the days on which its members' activity and branch are needed: the
-- days of its own periods and of the county's periods (usually the same day, counted once).
SELECT DISTINCT s.town, t.town_no, p.period_no, p.period_day
FROM periods p
JOIN scopes s ON s.family = 'study' AND s.scope = p.scope
JOIN towns t ON t.town = s.town
