-- Orders per category and CST month of receipt, at one level of the taxonomy (1, 2 or 3), over every
-- month in the store: the series of the seasonal outlook and the category × month heatmap.
-- Orders recorded above the level (no code at that level) are left out.
-- @param level int 2
SELECT category, month, count(*) AS orders
FROM (
  SELECT
    CASE CAST(? AS INTEGER) WHEN 1 THEN category_l1 WHEN 2 THEN category_l2 ELSE category_l3 END AS category,
    received_month AS month
  FROM latest_orders
) o
WHERE category IS NOT NULL
GROUP BY category, month
ORDER BY category, month
