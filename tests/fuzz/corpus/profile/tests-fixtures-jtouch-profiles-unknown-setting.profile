# a typo in a setting name
customer customer_id
colour red
touch seen t
