# olist-orders — olist_orders_dataset.csv of the public Olist e-commerce data
# (Kaggle olistbr/brazilian-ecommerce). Times are Sao Paulo local time.
# Each order has its own customer_id; the person is customer_unique_id in
# olist_customers_dataset.csv, so join it:
#   jtouch --lookup olist_customers_dataset.csv:customer_id -p olist-orders olist_orders_dataset.csv
# Without the lookup the customer is the per-order customer_id.
# The estimate is a measure's input, not a touch: delay_s = delivered - estimated.
description Olist orders: purchase, approval, carrier hand-off, delivery; delay against the estimate
source orders
customer customer_unique_id customer_id
tz America/Sao_Paulo
touch order_placed order_purchase_timestamp
touch order_approved order_approved_at
touch order_shipped order_delivered_carrier_date
touch order_delivered order_delivered_customer_date
measure delay_s = order_delivered_customer_date - order_estimated_delivery_date on order_delivered signed
carry order_id status=order_status
