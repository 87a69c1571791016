-- roster: every member with the interval in which they are active (contracts.md, "active on day d").
-- Active on day d  <=>  active_from <= d AND d < active_until:
--   joined on or before d (an unknown join date counts as joined: 1900-01-01), and
--   not left before or on d (no leave date: 9999-12-31); a member whose 团籍状态 says they left but
--   who has no leave date (and is not 待审核) is treated as having left before any day of interest.
SELECT
    town,
    member_id,
    branch,
    COALESCE(is_cadre, FALSE) AS is_cadre,
    birth_date,
    COALESCE(join_date, TIMESTAMP '1900-01-01 00:00:00') AS active_from,
    CASE
        WHEN COALESCE(status, '正常') <> '正常'
             AND leave_date IS NULL
             AND NOT COALESCE(status_pending, FALSE)
            THEN TIMESTAMP '1900-01-01 00:00:00'
        ELSE COALESCE(leave_date, TIMESTAMP '9999-12-31 00:00:00')
    END AS active_until
FROM members
