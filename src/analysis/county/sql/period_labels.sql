-- period_labels: the canonical period labels of the records, numbered.
SELECT period, ROW_NUMBER() OVER (ORDER BY period) AS period_no
FROM (SELECT DISTINCT period FROM study_records) p
