-- person_period: one row per (town, period, person) with the person's first record time in the period
-- in microseconds since 1970 (NULL when none of their records has a time). A person is the matched
-- member, else the record's (branch, normalised name or identity): ingest's person_key, which is unique
-- within its town only, so a person is always (town, person_key).
SELECT town, period, person_key, MIN(epoch_us(recorded_at)) AS first_us
FROM study_records
GROUP BY town, period, person_key
