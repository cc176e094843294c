-- TPC-H Q5 under DP with the customer as the unit: the same joins written with JOIN ... ON along the declared keys
-- (private chain lineitem -> orders -> customer, public supplier, nation, region on their keys); nation is joined
-- on the customer's nation, and the supplier's must equal it, as in the original.
select n_name, sum(l_extendedprice * (1 - l_discount)) as revenue
from customer join orders on c_custkey = o_custkey join lineitem on l_orderkey = o_orderkey
  join supplier on l_suppkey = s_suppkey join nation on c_nationkey = n_nationkey
  join region on n_regionkey = r_regionkey
where c_nationkey = s_nationkey and r_name = 'ASIA'
  and o_orderdate >= date '1994-01-01' and o_orderdate < date '1994-01-01' + interval '1' year
group by n_name
order by revenue desc
