SELECT channel, AVG(amount) AS avg_amount FROM transactions GROUP BY channel
