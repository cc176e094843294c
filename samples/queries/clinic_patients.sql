SELECT COUNT(DISTINCT patient_id) AS patients, AVG(age) AS avg_age, STDDEV(age) AS sd_age FROM visits
