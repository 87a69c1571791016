-- towns: every town of the roll-up, numbered (town_no); the later steps join and count by numbers.
-- Numbers are BIGINT on every engine (Spark numbers rows as INT).
SELECT town, CAST(ROW_NUMBER() OVER (ORDER BY town) AS BIGINT) AS town_no
FROM (SELECT DISTINCT town FROM scopes) t
