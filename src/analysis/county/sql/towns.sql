-- towns: every town of the roll-up, numbered (town_no); the later steps join and count by numbers.
SELECT town, ROW_NUMBER() OVER (ORDER BY town) AS town_no
FROM (SELECT DISTINCT town FROM scopes) t
