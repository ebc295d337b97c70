-- Category × month heatmap. Returns one row per category code at the chosen taxonomy level
-- (category_code) and CST month of receipt (received_month), from from_month to to_month inclusive,
-- with the number of orders received (orders). Orders recorded above that level have no code at it
-- and are left out; a month or category without orders has no row.
-- @param from_month string 2026-01
-- @param to_month string 2026-03
-- @param level int 2
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS from_month, CAST(? AS VARCHAR) AS to_month, CAST(? AS INTEGER) AS level
),
chosen AS (
  SELECT
    CASE p.level WHEN 1 THEN o.category_l1 WHEN 2 THEN o.category_l2 WHEN 3 THEN o.category_l3 END
      AS category_code,
    o.received_month
  FROM latest_orders o
  CROSS JOIN params p
  WHERE o.received_month BETWEEN p.from_month AND p.to_month
)
SELECT category_code, received_month, count(*) AS orders
FROM chosen
WHERE category_code IS NOT NULL
GROUP BY category_code, received_month
ORDER BY category_code, received_month
