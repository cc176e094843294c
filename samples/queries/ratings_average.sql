SELECT AVG(rating) AS avg_rating, COUNT(*) AS users FROM ratings
