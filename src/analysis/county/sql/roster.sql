-- roster: every member (numbered: member_no) with the interval in which they are active
-- (docs/definitions.md, “某日在团”). Active on day d  <=>  active_from <= d AND d < active_until:
--   joined on or before d (an unknown join date counts as joined: 1900-01-01), and
--   not left before or on d (no leave date: 9999-12-31); a member whose 团籍状态 says they left but
--   who has no leave date (and is not 待审核) is treated as having left before any day of interest.
SELECT
    m.town,
    b.town_no,
    m.member_id,
    CAST(ROW_NUMBER() OVER (ORDER BY m.town, m.member_id) AS BIGINT) AS member_no,
    m.branch,
    b.branch_no,
    COALESCE(m.is_cadre, FALSE) AS is_cadre,
    m.birth_date,
    COALESCE(m.join_date, TIMESTAMP '1900-01-01 00:00:00') AS active_from,
    CASE
        WHEN COALESCE(m.status, '正常') <> '正常'
             AND m.leave_date IS NULL
             AND NOT COALESCE(m.status_pending, FALSE)
            THEN TIMESTAMP '1900-01-01 00:00:00'
        ELSE COALESCE(m.leave_date, TIMESTAMP '9999-12-31 00:00:00')
    END AS active_until
FROM members m
JOIN branches b ON b.town = m.town AND b.branch = m.branch
