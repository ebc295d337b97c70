-- Orders per H3 resolution-9 cell (edge ~174 m) and category within a window of days: the input of
-- Getis-Ord Gi*. A null category counts orders recorded above the level: they belong to the study
-- area and to each cell's total, not to any category. Sorted by cell so that each is looked up once.
-- @param level int 2
-- @param from date 2026-01-01
-- @param to date 2026-01-31
SELECT cell, category, count(*) AS orders
FROM (
  SELECT
    h3_r9 AS cell,
    CASE CAST(? AS INTEGER) WHEN 1 THEN category_l1 WHEN 2 THEN category_l2 ELSE category_l3 END AS category
  FROM latest_orders
  WHERE received_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) AND h3_r9 IS NOT NULL
) o
GROUP BY cell, category
ORDER BY cell, category
