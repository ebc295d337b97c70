-- Repeats at one place: normalised addresses (their keyed hash) with at least `min_orders` orders of
-- the same category within a window of days, with the figures that make the case — how many
-- requesters, over which days, how many still open or answered "not solved" at call-back.
-- @param level int 2
-- @param from date 2026-01-01
-- @param to date 2026-03-31
-- @param min_orders int 3
SELECT
  address,
  category,
  count(*) AS orders,
  count(DISTINCT requester_hash) AS requesters,
  min(received_date) AS first_day,
  max(received_date) AS last_day,
  min(street_code) AS street,
  min(h3_r9) AS cell,
  sum(CASE WHEN answer_solved = 'not' THEN 1 ELSE 0 END) AS unsolved,
  sum(CASE WHEN closed_at IS NULL THEN 1 ELSE 0 END) AS open
FROM (
  SELECT
    address_hash AS address,
    CASE CAST(? AS INTEGER) WHEN 1 THEN category_l1 WHEN 2 THEN category_l2 ELSE category_l3 END AS category,
    requester_hash,
    received_date,
    street_code,
    h3_r9,
    answer_solved,
    closed_at
  FROM latest_orders
  WHERE received_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE) AND address_hash IS NOT NULL
) o
WHERE category IS NOT NULL
GROUP BY address, category
HAVING count(*) >= CAST(? AS INTEGER)
ORDER BY orders DESC, address, category
