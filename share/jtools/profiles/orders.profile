# orders — an order export, one row per order with a timestamp per step.
# delay_s = delivered - estimated (signed: early deliveries are negative).
# See jtouch-profile(5); copy and edit.
#
# A column written a | b | c is whichever of these names the export has (the
# first present wins):
#   Shopify      its orders export (Admin > Orders > Export): Name (the
#                order, #1001), Email, Financial Status, Paid at, Fulfillment
#                Status, Fulfilled at, ..., Total, ..., Created at, Lineitem
#                ..., Source, Id (the names a reader of that file uses:
#                github.com/AaronLain/tenderloin_v1, orders/orders.go: Name,
#                Created at, Paid at, Total, Email, Source, Billing Name,
#                Lineitem sku; Fulfilled at and Financial Status as seen in the
#                export, not checked against a Shopify help page). An order of
#                several items has one line per item; only the first has the
#                order's columns, so the others are rows without a time
#                (counted, not rejected).
#   WooCommerce  the Customer/Order CSV Export extension and the older
#                order export: order_id, order_date (older: date), status,
#                order_total, customer_id (older: customer_user),
#                billing_email, paid_date, completed_date. The older header
#                (order_id,order_number_formatted,order_number,date,status,
#                ...,order_total,...,customer_user,...,billing_email,...) and
#                its M/D/YYYY H:MM dates (5/31/2016 0:37: add --date-order
#                mdy) as an export of it shows them (pastebin.com/GyL9anNk);
#                order_date and completed_date as another order export plugin
#                names them (pastebin.com/8JR3aXGB); paid_date and customer_id
#                not checked against a WooCommerce page.
description orders: placed, approved, shipped, delivered; amount, delivery delay against the estimate
source orders
customer customer_id user_id email Email customer_user billing_email
touch order_placed placed_at | "Created at" | order_date | date
touch order_approved approved_at? | "Paid at"? | paid_date?
touch order_shipped shipped_at? | "Fulfilled at"?
touch order_delivered delivered_at? | completed_date?
measure amount = amount? | Total? | order_total? on order_placed
measure delay_s = delivered_at? | completed_date? - estimated_delivery_at? on order_delivered signed
channel channel? | Source?
carry order_id=order_id? | Name? status=status? | "Financial Status"?
