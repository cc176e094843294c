SELECT channel, COUNT(DISTINCT customer_id) AS customers, AVG(amount) AS avg_amount FROM transactions GROUP BY channel
