SELECT clinic, COUNT(*) AS visits, AVG(cost) AS avg_cost FROM visits GROUP BY clinic
