-- period_labels: the canonical period labels of the records, numbered.
SELECT period, CAST(ROW_NUMBER() OVER (ORDER BY period) AS BIGINT) AS period_no
FROM (SELECT DISTINCT period FROM study_records) p
