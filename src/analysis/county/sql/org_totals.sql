-- org_totals, per scope of the org family, over the members active on Y-12-31 (branch that day):
--   members, branches (with >= 1 such member), cadres (团干部),
--   overage = aged >= 28 that day and not 团干部 (unknown birth date: not counted). On 12-31 every
--   birthday of the year has passed, so the age that day is Y minus the year of birth.
WITH year_end_branch AS (
    SELECT member_no, branch_no
    FROM (
        SELECT member_no, branch_no,
               ROW_NUMBER() OVER (PARTITION BY member_no ORDER BY start_day DESC, seq DESC) AS latest
        FROM spells
        WHERE start_day <= ${year_end}
    ) ranked
    WHERE latest = 1
),
year_end AS (
    SELECT s.scope, r.is_cadre,
           COALESCE(m.branch_no, r.branch_no) AS branch_no,
           ${year} - EXTRACT(YEAR FROM r.birth_date) AS age
    FROM roster r
    JOIN scopes s ON s.family = 'org' AND s.town = r.town
    LEFT JOIN year_end_branch m ON m.member_no = r.member_no
    WHERE r.active_from <= ${year_end} AND ${year_end} < r.active_until
),
counts AS (
    SELECT scope,
           COUNT(*) AS members,
           SUM(CASE WHEN is_cadre THEN 1 ELSE 0 END) AS cadres,
           SUM(CASE WHEN age >= 28 AND NOT is_cadre THEN 1 ELSE 0 END) AS overage
    FROM year_end
    GROUP BY scope
),
branch_counts AS (
    SELECT scope, COUNT(*) AS branches
    FROM (SELECT DISTINCT scope, branch_no FROM year_end) b
    GROUP BY scope
)
SELECT q.scope,
       COALESCE(c.members, 0) AS members,
       COALESCE(b.branches, 0) AS branches,
       CAST(COALESCE(c.cadres, 0) AS BIGINT) AS cadres,
       CAST(COALESCE(c.overage, 0) AS BIGINT) AS overage
FROM (SELECT DISTINCT scope FROM scopes WHERE family = 'org') q
LEFT JOIN counts c ON c.scope = q.scope
LEFT JOIN branch_counts b ON b.scope = q.scope
