# olist-reviews — olist_order_reviews_dataset.csv of the public Olist data.
# A review knows its order, the order its customer_id, the customer table
# the person (customer_unique_id):
#   jtouch --lookup olist_orders_dataset.csv:order_id \
#          --lookup olist_customers_dataset.csv:customer_id \
#          -p olist-reviews olist_order_reviews_dataset.csv
# The score (1-5) is csat on the answer; title and comment are carried.
description Olist reviews: review score 1-5 as csat on survey_response (needs --lookup for the customer)
source reviews
customer customer_unique_id customer_id
tz America/Sao_Paulo
touch survey_response review_answer_timestamp
measure csat = review_score
carry review_id order_id title=review_comment_title comment=review_comment_message
