-- spells: the branches of members with transfers, each from the day it starts (docs/definitions.md, section 4: on a
-- transfer's date the member already belongs to the new branch). Each transfer opens a spell in its
-- to_branch; before the first one the member is in that transfer's from_branch (the roster's branch
-- when blank). Transfers without a date or of people not on the town's roster are left out.
-- seq orders one member's transfers; of two on the same day the later row of the export wins.
WITH moves AS (
    SELECT
        r.member_no,
        r.branch_no AS roster_branch_no,
        f.branch_no AS from_branch_no,
        b.branch_no AS to_branch_no,
        t.moved_on,
        CAST(ROW_NUMBER() OVER (
            PARTITION BY r.member_no
            ORDER BY t.moved_on, t.source_file, t.source_sheet, t.source_row
        ) AS BIGINT) AS seq
    FROM transfers t
    JOIN roster r ON r.town = t.town AND r.member_id = t.member_id
    JOIN branches b ON b.town = t.town AND b.branch = t.to_branch
    LEFT JOIN branches f ON f.town = t.town AND f.branch = t.from_branch
    WHERE t.moved_on IS NOT NULL
)
SELECT member_no, to_branch_no AS branch_no, moved_on AS start_day, seq
FROM moves
UNION ALL
SELECT member_no, COALESCE(from_branch_no, roster_branch_no) AS branch_no,
       TIMESTAMP '1900-01-01 00:00:00' AS start_day, CAST(0 AS BIGINT) AS seq
FROM moves
WHERE seq = 1
