SELECT rating, COUNT(*) AS users FROM ratings GROUP BY rating
