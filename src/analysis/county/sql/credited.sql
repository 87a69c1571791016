-- credited: (member, period) pairs with at least one record credited to a member on the town's roster:
-- matched, never ambiguously. Records of people not on the roster are never credited to anyone.
SELECT DISTINCT r.town_no, r.member_no, l.period_no
FROM study_records s
JOIN roster r ON r.town = s.town AND r.member_id = s.member_id
JOIN period_labels l ON l.period = s.period
WHERE s.member_id IS NOT NULL
  AND COALESCE(s.match_kind, '') <> 'ambiguous'
