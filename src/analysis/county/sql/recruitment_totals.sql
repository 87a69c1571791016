-- recruitment_totals, per scope of the recruitment family (people in the recruitment exports):
--   new_members / applications / activists / targets = people whose 入团 / 申请 / 积极分子 / 发展对象
--   date falls in Y; median_days = median (midpoint for an even count) of the whole days from 申请 to
--   入团 over the new members with both dates (NULL when there is none).
WITH people AS (
    SELECT s.scope, x.applied_date, x.activist_date, x.target_date, x.joined_date
    FROM recruitment x
    JOIN scopes s ON s.family = 'recruitment' AND s.town = x.town
),
counts AS (
    SELECT scope,
           SUM(CASE WHEN EXTRACT(YEAR FROM joined_date) = ${year} THEN 1 ELSE 0 END) AS new_members,
           SUM(CASE WHEN EXTRACT(YEAR FROM applied_date) = ${year} THEN 1 ELSE 0 END) AS applications,
           SUM(CASE WHEN EXTRACT(YEAR FROM activist_date) = ${year} THEN 1 ELSE 0 END) AS activists,
           SUM(CASE WHEN EXTRACT(YEAR FROM target_date) = ${year} THEN 1 ELSE 0 END) AS targets
    FROM people
    GROUP BY scope
),
durations AS (
    SELECT scope,
           PERCENTILE_CONT(0.5) WITHIN GROUP (
               ORDER BY FLOOR((epoch_us(joined_date) - epoch_us(applied_date)) / 86400000000.0)
           ) AS median_days
    FROM people
    WHERE EXTRACT(YEAR FROM joined_date) = ${year} AND applied_date IS NOT NULL
    GROUP BY scope
)
SELECT q.scope,
       CAST(COALESCE(c.new_members, 0) AS BIGINT) AS new_members,
       CAST(COALESCE(c.applications, 0) AS BIGINT) AS applications,
       CAST(COALESCE(c.activists, 0) AS BIGINT) AS activists,
       CAST(COALESCE(c.targets, 0) AS BIGINT) AS targets,
       d.median_days
FROM (SELECT DISTINCT scope FROM scopes WHERE family = 'recruitment') q
LEFT JOIN counts c ON c.scope = q.scope
LEFT JOIN durations d ON d.scope = q.scope
