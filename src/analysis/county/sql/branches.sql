-- branches: every (town, branch) a member can be in on some day (roster branches and both ends of
-- transfers), numbered (branch_no; town_no numbers the towns): the later steps count by these numbers
-- instead of by the names.
WITH names AS (
    SELECT town, branch FROM members WHERE branch IS NOT NULL
    UNION
    SELECT town, from_branch FROM transfers WHERE from_branch IS NOT NULL
    UNION
    SELECT town, to_branch FROM transfers WHERE to_branch IS NOT NULL
)
SELECT town, branch,
       ROW_NUMBER() OVER (ORDER BY town, branch) AS branch_no,
       DENSE_RANK() OVER (ORDER BY town) AS town_no
FROM names
