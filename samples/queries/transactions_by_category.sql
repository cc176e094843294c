SELECT category, COUNT(*) AS purchases, SUM(amount) AS total FROM transactions GROUP BY category ORDER BY total DESC
