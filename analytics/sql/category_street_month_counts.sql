-- Orders per category, street/township (街道/乡镇) and CST month within a window of days: who was hit
-- when a season came last year (the seasonal outlook's "prepare now" list names these townships).
-- @param level int 2
-- @param from date 2025-01-01
-- @param to date 2025-03-31
SELECT category, street, month, count(*) AS orders
FROM (
  SELECT
    CASE CAST(? AS INTEGER) WHEN 1 THEN category_l1 WHEN 2 THEN category_l2 ELSE category_l3 END AS category,
    street_code AS street,
    received_month AS month
  FROM latest_orders
  WHERE received_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)
) o
WHERE category IS NOT NULL AND street IS NOT NULL
GROUP BY category, street, month
ORDER BY category, street, month
