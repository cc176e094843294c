SELECT rating, COUNT(*) AS users FROM ratings WHERE product_id <= 5 GROUP BY rating
