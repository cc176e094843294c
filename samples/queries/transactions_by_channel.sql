SELECT channel, COUNT(DISTINCT customer_id) AS customers, COUNT(*) AS purchases FROM transactions GROUP BY channel
