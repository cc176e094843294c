SELECT merchant, COUNT(*) AS purchases FROM transactions GROUP BY merchant ORDER BY purchases DESC LIMIT 10
