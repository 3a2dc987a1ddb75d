# jtouch settings that run on any CSV (tests/common.bats): made-up customer
# ids, and a touch when a column named amount holds epoch seconds.
customer @row
touch row amount?
time_format epoch amount
