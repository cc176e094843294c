SELECT merchant, COUNT(DISTINCT customer_id) AS customers FROM transactions GROUP BY merchant ORDER BY customers DESC LIMIT 10
