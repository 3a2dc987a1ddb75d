# events — a web or product event log (PostHog-like): the event name is the
# touchpoint. Epoch times: add --time-format 'epoch timestamp' (or epoch_ms).
description web/product events: the event column is the touchpoint
source events
customer user_id customer_id distinct_id
touch {event} timestamp
channel channel?
carry page?
