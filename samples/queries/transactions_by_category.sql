SELECT category, COUNT(DISTINCT customer_id) AS customers, COUNT(*) AS purchases FROM transactions GROUP BY category ORDER BY customers DESC
