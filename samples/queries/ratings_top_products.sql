SELECT product_id, COUNT(*) AS users FROM ratings GROUP BY product_id ORDER BY users DESC LIMIT 10
