-- 每月一题 figures for a CST month. Returns one row per category, at every taxonomy level, with
-- orders received in the month:
--   level (1, 2, 3), category_code, parent_code (null at level 1);
--   orders; townships (distinct street_code); answered (call-back answers, unreachable not counted),
--   unsolved (answered 'not' solved), dissatisfied (answered 'not' satisfied);
--   repeat_orders: orders at an address or by a requester that had an order of the same category in
--     the repeat_days CST days before (by keyed hashes, never in clear);
--   last_year_orders: the same month a year before, null when the store does not cover that month;
--   trailing_orders: the 3 months before, summed, null unless the store covers all three;
--   comparable_years: earlier years whose same month and its 3 months before the store covers;
--   elevated_years: of those, the years whose same month had more than elevation × the mean of its
--     3 months before (the problem came back in this season).
-- A month counts as covered when the store holds any order received in it. Month arithmetic uses
-- date_diff on first days of months only: date_add's signature differs between DuckDB and Trino.
-- @param month string 2026-03
-- @param repeat_days int 30
-- @param elevation double 1.2
WITH params AS (
  SELECT month, CAST(concat(month, '-01') AS DATE) AS month_start, repeat_days, elevation
  FROM (
    SELECT CAST(? AS VARCHAR) AS month, CAST(? AS INTEGER) AS repeat_days, CAST(? AS DOUBLE) AS elevation
  ) given
),
-- orders per leaf and month in one pass over the store; every level's months come from this small table
by_leaf_month AS (
  SELECT o.category_l1, o.category_l2, o.category_l3, o.received_month, count(*) AS orders
  FROM latest_orders o
  GROUP BY o.category_l1, o.category_l2, o.category_l3, o.received_month
),
monthly AS (
  SELECT level, category_code, CAST(concat(received_month, '-01') AS DATE) AS month_start, sum(orders) AS orders
  FROM (
    SELECT 1 AS level, category_l1 AS category_code, received_month, orders FROM by_leaf_month
    UNION ALL
    SELECT 2 AS level, category_l2 AS category_code, received_month, orders FROM by_leaf_month
    UNION ALL
    SELECT 3 AS level, category_l3 AS category_code, received_month, orders FROM by_leaf_month
  ) l
  WHERE category_code IS NOT NULL
  GROUP BY level, category_code, received_month
),
-- the orders of the month and of the repeat window before it, once per level of their category
tagged AS (
  SELECT *
  FROM (
    SELECT
      l.level,
      CASE l.level WHEN 1 THEN o.category_l1 WHEN 2 THEN o.category_l2 ELSE o.category_l3 END AS category_code,
      CASE l.level WHEN 2 THEN o.category_l1 WHEN 3 THEN o.category_l2 END AS parent_code,
      o.order_id,
      o.received_at,
      o.received_date,
      o.received_month,
      o.street_code,
      o.address_hash,
      o.requester_hash,
      o.unreachable,
      o.answer_solved,
      o.answer_satisfied
    FROM latest_orders o
    CROSS JOIN params p
    CROSS JOIN (VALUES (1), (2), (3)) AS l (level)
    WHERE o.received_month <= p.month AND date_diff('day', o.received_date, p.month_start) <= p.repeat_days
  ) t
  WHERE category_code IS NOT NULL
),
covered AS (
  SELECT DISTINCT month_start FROM monthly WHERE level = 1
),
coverage AS (
  SELECT
    sum(CASE WHEN date_diff('month', c.month_start, p.month_start) = 12 THEN 1 ELSE 0 END) AS last_year_covered,
    sum(CASE WHEN date_diff('month', c.month_start, p.month_start) BETWEEN 1 AND 3 THEN 1 ELSE 0 END)
      AS trailing_covered
  FROM covered c
  CROSS JOIN params p
),
current_month AS (
  SELECT
    t.level,
    t.category_code,
    t.parent_code,
    count(*) AS orders,
    count(DISTINCT t.street_code) AS townships,
    sum(CASE WHEN NOT t.unreachable AND t.answer_solved IS NOT NULL THEN 1 ELSE 0 END) AS answered,
    sum(CASE WHEN NOT t.unreachable AND t.answer_solved = 'not' THEN 1 ELSE 0 END) AS unsolved,
    sum(CASE WHEN NOT t.unreachable AND t.answer_satisfied = 'not' THEN 1 ELSE 0 END) AS dissatisfied
  FROM tagged t
  CROSS JOIN params p
  WHERE t.received_month = p.month
  GROUP BY t.level, t.category_code, t.parent_code
),
-- the order before at the same address, and by the same requester, within the same category
preceded AS (
  SELECT
    t.level,
    t.category_code,
    t.received_month,
    t.received_date,
    t.address_hash,
    t.requester_hash,
    lag(t.received_date) OVER (
      PARTITION BY t.level, t.category_code, t.address_hash ORDER BY t.received_at, t.order_id
    ) AS previous_at_address,
    lag(t.received_date) OVER (
      PARTITION BY t.level, t.category_code, t.requester_hash ORDER BY t.received_at, t.order_id
    ) AS previous_by_requester
  FROM tagged t
  WHERE t.address_hash IS NOT NULL OR t.requester_hash IS NOT NULL
),
repeats AS (
  SELECT r.level, r.category_code, count(*) AS repeat_orders
  FROM preceded r
  CROSS JOIN params p
  WHERE r.received_month = p.month
    AND (
      (r.address_hash IS NOT NULL AND date_diff('day', r.previous_at_address, r.received_date) <= p.repeat_days)
      OR (r.requester_hash IS NOT NULL AND date_diff('day', r.previous_by_requester, r.received_date) <= p.repeat_days)
    )
  GROUP BY r.level, r.category_code
),
last_year AS (
  SELECT m.level, m.category_code, m.orders
  FROM monthly m
  CROSS JOIN params p
  WHERE date_diff('month', m.month_start, p.month_start) = 12
),
trailing_months AS (
  SELECT m.level, m.category_code, sum(m.orders) AS orders
  FROM monthly m
  CROSS JOIN params p
  WHERE date_diff('month', m.month_start, p.month_start) BETWEEN 1 AND 3
  GROUP BY m.level, m.category_code
),
-- the same calendar month of each earlier year that the store covers together with its 3 months before
earlier AS (
  SELECT c.month_start
  FROM covered c
  CROSS JOIN params p
  JOIN covered b ON date_diff('month', b.month_start, c.month_start) BETWEEN 1 AND 3
  WHERE month(c.month_start) = month(p.month_start) AND year(c.month_start) < year(p.month_start)
  GROUP BY c.month_start
  HAVING count(*) = 3
),
earlier_figures AS (
  SELECT
    k.level,
    k.category_code,
    e.month_start,
    sum(CASE WHEN m.month_start = e.month_start THEN m.orders ELSE 0 END) AS month_orders,
    sum(CASE WHEN m.month_start < e.month_start THEN m.orders ELSE 0 END) AS trailing_orders
  FROM current_month k
  CROSS JOIN earlier e
  LEFT JOIN monthly m
    ON m.level = k.level
    AND m.category_code = k.category_code
    AND date_diff('month', m.month_start, e.month_start) BETWEEN 0 AND 3
  GROUP BY k.level, k.category_code, e.month_start
),
recurrence AS (
  SELECT
    f.level,
    f.category_code,
    count(*) AS comparable_years,
    sum(CASE WHEN f.month_orders > p.elevation * f.trailing_orders / 3.0 THEN 1 ELSE 0 END) AS elevated_years
  FROM earlier_figures f
  CROSS JOIN params p
  GROUP BY f.level, f.category_code
)
SELECT
  k.level,
  k.category_code,
  k.parent_code,
  k.orders,
  k.townships,
  k.answered,
  k.unsolved,
  k.dissatisfied,
  COALESCE(r.repeat_orders, 0) AS repeat_orders,
  CASE WHEN v.last_year_covered = 1 THEN COALESCE(y.orders, 0) END AS last_year_orders,
  CASE WHEN v.trailing_covered = 3 THEN COALESCE(t.orders, 0) END AS trailing_orders,
  COALESCE(c.comparable_years, 0) AS comparable_years,
  COALESCE(c.elevated_years, 0) AS elevated_years
FROM current_month k
CROSS JOIN coverage v
LEFT JOIN repeats r ON r.level = k.level AND r.category_code = k.category_code
LEFT JOIN last_year y ON y.level = k.level AND y.category_code = k.category_code
LEFT JOIN trailing_months t ON t.level = k.level AND t.category_code = k.category_code
LEFT JOIN recurrence c ON c.level = k.level AND c.category_code = k.category_code
ORDER BY k.level, k.category_code
