# tickets — a help-desk export with one row per ticket and a timestamp per
# milestone. See jtouch-profile(5); copy and edit.
description help-desk tickets: opened, first reply, solved, reopened; reply and resolution times
source tickets
customer customer_id requester_id requester_email email
touch ticket_opened created_at
touch ticket_first_reply first_reply_at?
touch ticket_solved solved_at?
touch ticket_reopened reopened_at?
measure first_reply_s = first_reply_at? - created_at on ticket_first_reply
measure resolution_s = solved_at? - created_at on ticket_solved
measure reopens = reopens? on ticket_solved
measure csat = satisfaction? on ticket_solved
# Zendesk-style words as well as 1-5 scores
map satisfaction good=5 bad=1 "good with comment=5" "bad with comment=1" offered= "not offered=" unoffered=
channel channel?
carry ticket_id? category? priority? subject?
