SELECT department, SUM(cost) AS total_cost FROM visits WHERE age >= 65 GROUP BY department
