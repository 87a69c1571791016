-- aid_totals, per scope of the aid family, over aid dated in Y:
--   recipients = distinct recipients (a recipient key is unique within its town only),
--   amount = sum of the amounts (yuan).
WITH year_aid AS (
    SELECT s.scope, a.town, a.recipient_key, a.amount
    FROM aid a
    JOIN scopes s ON s.family = 'aid' AND s.town = a.town
    WHERE EXTRACT(YEAR FROM a.paid_on) = ${year}
),
recipients AS (
    SELECT scope, COUNT(*) AS recipients
    FROM (SELECT DISTINCT scope, town, recipient_key FROM year_aid WHERE recipient_key IS NOT NULL) r
    GROUP BY scope
),
amounts AS (
    SELECT scope, SUM(amount) AS amount FROM year_aid GROUP BY scope
)
SELECT q.scope,
       COALESCE(r.recipients, 0) AS recipients,
       CAST(COALESCE(m.amount, 0.0) AS DOUBLE) AS amount
FROM (SELECT DISTINCT scope FROM scopes WHERE family = 'aid') q
LEFT JOIN recipients r ON r.scope = q.scope
LEFT JOIN amounts m ON m.scope = q.scope
