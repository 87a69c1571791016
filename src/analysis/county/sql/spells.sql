-- spells: the branches of members with transfers, each from the day it starts (contracts.md: on a
-- transfer's date the member already belongs to the new branch). Each transfer opens a spell in its
-- to_branch; before the first one the member is in that transfer's from_branch (the roster's branch
-- when blank). Transfers without a date or of people not on the town's roster are left out.
-- seq orders one member's transfers; of two on the same day the later row of the export wins.
WITH moves AS (
    SELECT
        t.town,
        t.member_id,
        t.from_branch,
        t.to_branch,
        t.moved_on,
        ROW_NUMBER() OVER (
            PARTITION BY t.town, t.member_id
            ORDER BY t.moved_on, t.source_file, t.source_sheet, t.source_row
        ) AS seq
    FROM transfers t
    JOIN roster r ON r.town = t.town AND r.member_id = t.member_id
    WHERE t.moved_on IS NOT NULL
)
SELECT town, member_id, to_branch AS branch, moved_on AS start_day, seq
FROM moves
UNION ALL
SELECT m.town, m.member_id, COALESCE(m.from_branch, r.branch) AS branch,
       TIMESTAMP '1900-01-01 00:00:00' AS start_day, 0 AS seq
FROM moves m
JOIN roster r ON r.town = m.town AND r.member_id = m.member_id
WHERE m.seq = 1
