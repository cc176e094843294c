-- TPC-H Q3 under DP with the customer as the unit: an order key is one customer's, so it cannot be a released
-- group key; the revenue of unshipped orders is released per order month (a public domain derived from
-- o_orderdate's declared bounds) and ship priority; the top 10 are chosen from the noisy revenues.
select date_trunc('month', o_orderdate) as o_month, o_shippriority,
  sum(l_extendedprice * (1 - l_discount)) as revenue
from customer join orders on c_custkey = o_custkey join lineitem on l_orderkey = o_orderkey
where c_mktsegment = 'BUILDING' and o_orderdate < date '1995-03-15' and l_shipdate > date '1995-03-15'
group by date_trunc('month', o_orderdate), o_shippriority
order by revenue desc, o_month
limit 10
