-- The newest CST day of receipt in the store (day), null when it is empty: where a mining run with no
-- day named stops when the store ends before yesterday (a generated history).
SELECT max(received_date) AS day
FROM latest_orders
