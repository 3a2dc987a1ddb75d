# events — a web or product event log (PostHog-like): the event name is the
# touchpoint. Epoch times: add --time-format 'epoch timestamp' (or epoch_ms).
#
# A column written a | b | c is whichever of these names the export has (the
# first present wins): the plain names first (PostHog: distinct_id, event,
# timestamp), ts as many loggers write it, then the names of an event log in
# the XES standard (IEEE 1849: case:concept:name or a case_id column, the
# activity concept:name, time:timestamp) as process-mining tools such as pm4py
# write them to CSV. Such a log has a row for each lifecycle:transition of an
# activity (start, complete): keep one with --where 'lifecycle:transition =
# complete' (jtools(7), "Row filters").
description web/product events: the event column is the touchpoint
source events
customer user_id customer_id distinct_id case:concept:name case_id
touch {event | concept:name} timestamp | ts | time:timestamp
channel channel?
carry page?
