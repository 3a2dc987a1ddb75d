# orders — an order export, one row per order with a timestamp per step.
# delay_s = delivered - estimated (signed: early deliveries are negative).
# See jtouch-profile(5); copy and edit.
description orders: placed, approved, shipped, delivered; amount, delivery delay against the estimate
source orders
customer customer_id user_id email
touch order_placed placed_at
touch order_approved approved_at?
touch order_shipped shipped_at?
touch order_delivered delivered_at?
measure amount = amount? on order_placed
measure delay_s = delivered_at? - estimated_delivery_at? on order_delivered signed
channel channel?
carry order_id? status?
