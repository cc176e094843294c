-- TPC-H Q10 under DP with the customer as the unit: the original lists the 20 customers who returned the most, which
-- no DP query may release (each row is one unit); this form releases the revenue lost to returns and the number of
-- customers who returned, per nation (a public domain), the top 20 nations chosen from the noisy revenues.
select n_name, sum(l_extendedprice * (1 - l_discount)) as revenue, count(distinct c_custkey) as customers
from customer join orders on c_custkey = o_custkey join lineitem on l_orderkey = o_orderkey
  join nation on c_nationkey = n_nationkey
where o_orderdate >= date '1993-10-01' and o_orderdate < date '1993-10-01' + interval '3' month
  and l_returnflag = 'R'
group by n_name
order by revenue desc
limit 20
