-- Orders per category, area and CST day of receipt, from one day to another: the series of the early
-- warning (Art. 29). `area` is 'district' (区) or 'street' (街道/乡镇); days without orders are absent.
-- @param level int 2
-- @param area string district
-- @param from date 2026-01-01
-- @param to date 2026-01-31
SELECT category, area, day, count(*) AS orders
FROM (
  SELECT
    CASE CAST(? AS INTEGER) WHEN 1 THEN category_l1 WHEN 2 THEN category_l2 ELSE category_l3 END AS category,
    CASE CAST(? AS VARCHAR) WHEN 'district' THEN district_code ELSE street_code END AS area,
    received_date AS day
  FROM latest_orders
  WHERE received_date BETWEEN CAST(? AS DATE) AND CAST(? AS DATE)
) o
WHERE category IS NOT NULL AND area IS NOT NULL
GROUP BY category, area, day
ORDER BY category, area, day
