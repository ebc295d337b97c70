-- 治理类街乡镇 figures for a CST month. Returns one row per street/township (street_code) with:
--   orders received in the month, overdue_orders (of those, not resolved within the limit);
--   orders_prev1, orders_prev2, orders_prev3: orders received 1, 2 and 3 months before (for the
--     trend), null when the store does not cover that month;
--   the street office's (unit st-<street_code>) 三率 counters for the month, counted exactly as
--     unit_month_rates.sql counts them: assessed, responded_in_time, answered, solved, partly_solved,
--     satisfied, basically_satisfied, unreachable, excluded (0 when it has no assessed order).
-- A township appears when it received orders in any of those months or its office has assessed ones.
-- @param month string 2026-03
WITH params AS (
  SELECT month, CAST(concat(month, '-01') AS DATE) AS month_start
  FROM (SELECT CAST(? AS VARCHAR) AS month) given
),
monthly AS (
  SELECT
    street_code,
    received_month,
    count(*) AS orders,
    sum(CASE WHEN overdue THEN 1 ELSE 0 END) AS overdue_orders
  FROM latest_orders
  WHERE street_code IS NOT NULL
  GROUP BY street_code, received_month
),
aged AS (
  SELECT m.*, date_diff('month', CAST(concat(m.received_month, '-01') AS DATE), p.month_start) AS months_before
  FROM monthly m
  CROSS JOIN params p
),
coverage AS (
  SELECT
    sum(CASE WHEN months_before = 1 THEN 1 ELSE 0 END) AS prev1,
    sum(CASE WHEN months_before = 2 THEN 1 ELSE 0 END) AS prev2,
    sum(CASE WHEN months_before = 3 THEN 1 ELSE 0 END) AS prev3
  FROM (
    SELECT date_diff('month', CAST(concat(c.received_month, '-01') AS DATE), p.month_start) AS months_before
    FROM (SELECT DISTINCT received_month FROM latest_orders) c
    CROSS JOIN params p
  ) covered
),
volumes AS (
  SELECT
    street_code,
    sum(CASE WHEN months_before = 0 THEN orders ELSE 0 END) AS orders,
    sum(CASE WHEN months_before = 0 THEN overdue_orders ELSE 0 END) AS overdue_orders,
    sum(CASE WHEN months_before = 1 THEN orders ELSE 0 END) AS orders_prev1,
    sum(CASE WHEN months_before = 2 THEN orders ELSE 0 END) AS orders_prev2,
    sum(CASE WHEN months_before = 3 THEN orders ELSE 0 END) AS orders_prev3
  FROM aged
  WHERE months_before BETWEEN 0 AND 3
  GROUP BY street_code
),
-- as in unit_month_rates.sql, for the street offices only
counted AS (
  SELECT
    substr(o.unit_id, 4) AS street_code,
    CASE WHEN o.excluded THEN 1 ELSE 0 END AS excluded,
    CASE WHEN o.excluded THEN 0 ELSE 1 END AS assessed,
    CASE WHEN NOT o.excluded AND o.contacted_in_time THEN 1 ELSE 0 END AS responded_in_time,
    CASE WHEN NOT o.excluded AND NOT o.unreachable AND o.answer_solved IS NOT NULL THEN 1 ELSE 0 END AS answered,
    CASE WHEN NOT o.excluded AND NOT o.unreachable THEN o.answer_solved END AS solved_answer,
    CASE WHEN NOT o.excluded AND NOT o.unreachable THEN o.answer_satisfied END AS satisfied_answer,
    CASE WHEN NOT o.excluded AND o.unreachable THEN 1 ELSE 0 END AS unreachable
  FROM latest_orders o
  CROSS JOIN params p
  WHERE o.assessed AND o.unit_class = 'street' AND o.unit_id LIKE 'st-%' AND o.assessed_month = p.month
),
rates AS (
  SELECT
    street_code,
    sum(assessed) AS assessed,
    sum(responded_in_time) AS responded_in_time,
    sum(answered) AS answered,
    sum(CASE WHEN solved_answer = 'solved' THEN 1 ELSE 0 END) AS solved,
    sum(CASE WHEN solved_answer = 'partly' THEN 1 ELSE 0 END) AS partly_solved,
    sum(CASE WHEN satisfied_answer = 'satisfied' THEN 1 ELSE 0 END) AS satisfied,
    sum(CASE WHEN satisfied_answer = 'basically' THEN 1 ELSE 0 END) AS basically_satisfied,
    sum(unreachable) AS unreachable,
    sum(excluded) AS excluded
  FROM counted
  GROUP BY street_code
)
SELECT
  COALESCE(v.street_code, r.street_code) AS street_code,
  COALESCE(v.orders, 0) AS orders,
  COALESCE(v.overdue_orders, 0) AS overdue_orders,
  CASE WHEN c.prev1 = 1 THEN COALESCE(v.orders_prev1, 0) END AS orders_prev1,
  CASE WHEN c.prev2 = 1 THEN COALESCE(v.orders_prev2, 0) END AS orders_prev2,
  CASE WHEN c.prev3 = 1 THEN COALESCE(v.orders_prev3, 0) END AS orders_prev3,
  COALESCE(r.assessed, 0) AS assessed,
  COALESCE(r.responded_in_time, 0) AS responded_in_time,
  COALESCE(r.answered, 0) AS answered,
  COALESCE(r.solved, 0) AS solved,
  COALESCE(r.partly_solved, 0) AS partly_solved,
  COALESCE(r.satisfied, 0) AS satisfied,
  COALESCE(r.basically_satisfied, 0) AS basically_satisfied,
  COALESCE(r.unreachable, 0) AS unreachable,
  COALESCE(r.excluded, 0) AS excluded
FROM volumes v
FULL OUTER JOIN rates r ON r.street_code = v.street_code
CROSS JOIN coverage c
ORDER BY 1
