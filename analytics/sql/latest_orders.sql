-- The latest version of every order: the relation every other query reads (`latest_orders`).
-- Locally it is materialised once per mining run; on Athena it is a view of the same text.
-- A row delivered twice, or two rows of one version, count once.
SELECT *
FROM (
  SELECT
    o.*,
    row_number() OVER (PARTITION BY o.order_id ORDER BY o.version DESC, o.updated_at DESC) AS row_rank
  FROM orders o
) ranked
WHERE row_rank = 1
