-- credited: (town, period, member) with at least one record credited to the member: matched, never
-- ambiguously.
SELECT DISTINCT town, period, member_id
FROM study_records
WHERE member_id IS NOT NULL
  AND COALESCE(match_kind, '') <> 'ambiguous'
