-- activity_totals, per scope of the activities family, over the distinct activities dated in Y (ingest
-- already merged duplicates: same date, normalised name and organiser):
--   act_count and its split by report section, person_times = sum of 参与人数 (blank = 0),
--   volunteer_hours = sum of each activity's volunteer hours.
WITH year_activities AS (
    SELECT s.scope, a.section, a.participants, a.volunteer_hours
    FROM activities a
    JOIN scopes s ON s.family = 'activities' AND s.town = a.town
    WHERE EXTRACT(YEAR FROM a.held_on) = ${year}
),
totals AS (
    SELECT scope,
           COUNT(*) AS act_count,
           SUM(CASE WHEN section = 'ideology' THEN 1 ELSE 0 END) AS ideology,
           SUM(CASE WHEN section = 'volunteer' THEN 1 ELSE 0 END) AS volunteer,
           SUM(CASE WHEN section = 'youth_service' THEN 1 ELSE 0 END) AS youth_service,
           SUM(CASE WHEN section = 'self_building' THEN 1 ELSE 0 END) AS self_building,
           SUM(COALESCE(participants, 0)) AS person_times,
           SUM(COALESCE(volunteer_hours, 0.0)) AS volunteer_hours
    FROM year_activities
    GROUP BY scope
)
SELECT q.scope,
       COALESCE(t.act_count, 0) AS act_count,
       CAST(COALESCE(t.ideology, 0) AS BIGINT) AS ideology,
       CAST(COALESCE(t.volunteer, 0) AS BIGINT) AS volunteer,
       CAST(COALESCE(t.youth_service, 0) AS BIGINT) AS youth_service,
       CAST(COALESCE(t.self_building, 0) AS BIGINT) AS self_building,
       CAST(COALESCE(t.person_times, 0) AS BIGINT) AS person_times,
       CAST(COALESCE(t.volunteer_hours, 0.0) AS DOUBLE) AS volunteer_hours
FROM (SELECT DISTINCT scope FROM scopes WHERE family = 'activities') q
LEFT JOIN totals t ON t.scope = q.scope
