-- branches: every (town, branch) a member can be in on some day (roster branches and both ends of
-- transfers), numbered (branch_no): the later steps count by numbers instead of by names.
WITH names AS (
    SELECT town, branch FROM members WHERE branch IS NOT NULL
    UNION
    SELECT town, from_branch FROM transfers WHERE from_branch IS NOT NULL
    UNION
    SELECT town, to_branch FROM transfers WHERE to_branch IS NOT NULL
)
SELECT n.town, t.town_no, n.branch, CAST(ROW_NUMBER() OVER (ORDER BY n.town, n.branch) AS BIGINT) AS branch_no
FROM names n
JOIN towns t ON t.town = n.town
