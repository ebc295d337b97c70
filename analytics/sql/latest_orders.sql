-- The latest version of every order: the relation every other query reads (`latest_orders`).
-- Locally it is a DuckDB view (or a table computed once); on Athena a view of the same text.
-- Live rows (one per milestone, delivered at least once) keep only each order's latest version, so a
-- row delivered twice, or two rows of one version, count once. Generated history holds exactly one row
-- per order — its final version; the generator writes each order once, into its month's file — so it
-- needs no ranking, which keeps a Beijing year of history (25 M rows) cheap to read.
SELECT g.*, 1 AS row_rank
FROM orders g
WHERE g.source = 'generated'
UNION ALL
SELECT *
FROM (
  SELECT
    o.*,
    row_number() OVER (PARTITION BY o.order_id ORDER BY o.version DESC, o.updated_at DESC) AS row_rank
  FROM orders o
  WHERE o.source = 'live'
) ranked
WHERE row_rank = 1
