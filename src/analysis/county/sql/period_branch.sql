-- period_branch: the branch on each period's day of members with transfers: their latest spell that
-- started on or before that day. Members without transfers are in their roster branch.
WITH candidates AS (
    SELECT p.scope, p.period, sp.town, sp.member_id, sp.branch,
           ROW_NUMBER() OVER (
               PARTITION BY p.scope, p.period, sp.town, sp.member_id
               ORDER BY sp.start_day DESC, sp.seq DESC
           ) AS latest
    FROM periods p
    JOIN scopes s ON s.family = 'study' AND s.scope = p.scope
    JOIN spells sp ON sp.town = s.town AND sp.start_day <= p.period_day
)
SELECT scope, period, town, member_id, branch
FROM candidates
WHERE latest = 1
