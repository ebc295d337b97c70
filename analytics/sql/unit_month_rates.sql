-- 三率 counters per lead unit for a CST month. Returns one row per unit (unit_id, unit_class) with
-- the counters of RateCounts (functions/domain/assessment.ts), snake_case: assessed,
-- responded_in_time, answered, solved, partly_solved, satisfied, basically_satisfied, unreachable,
-- excluded. An order counts as contributionOf counts it: only when assessed, in the month it last
-- closed; an excluded order only in `excluded`; an unreachable latest call-back for response only
-- (it is later than any earlier answer, and the latest call-back fact wins).
-- @param month string 2026-01
WITH params AS (
  SELECT CAST(? AS VARCHAR) AS month
),
counted AS (
  SELECT
    o.unit_id,
    o.unit_class,
    CASE WHEN o.excluded THEN 1 ELSE 0 END AS excluded,
    CASE WHEN o.excluded THEN 0 ELSE 1 END AS assessed,
    CASE WHEN NOT o.excluded AND o.contacted_in_time THEN 1 ELSE 0 END AS responded_in_time,
    CASE WHEN NOT o.excluded AND NOT o.unreachable AND o.answer_solved IS NOT NULL THEN 1 ELSE 0 END AS answered,
    CASE WHEN NOT o.excluded AND NOT o.unreachable THEN o.answer_solved END AS solved_answer,
    CASE WHEN NOT o.excluded AND NOT o.unreachable THEN o.answer_satisfied END AS satisfied_answer,
    CASE WHEN NOT o.excluded AND o.unreachable THEN 1 ELSE 0 END AS unreachable
  FROM latest_orders o
  CROSS JOIN params p
  WHERE o.assessed AND o.unit_id IS NOT NULL AND o.assessed_month = p.month
)
SELECT
  unit_id,
  unit_class,
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
GROUP BY unit_id, unit_class
ORDER BY unit_id
