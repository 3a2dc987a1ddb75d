# tickets — a help-desk export with one row per ticket and a timestamp per
# milestone. See jtouch-profile(5); copy and edit.
#
# A column written a | b | c is whichever of these names the export has (the
# first present wins), so the profile reads the exports of several help desks:
# the plain names first, then
#   Freshdesk  the ticket fields of its API v2 (created_at, and stats
#              first_responded_at, resolved_at, reopened_at: Freshworks' Stats
#              model, developers.freshworks.com/freshdesk-sdk/docs/Stats.html),
#              flattened as tools write them (stats.first_responded_at); the
#              ticket's own fields (requester_id, email, subject, type,
#              priority, source; schemas.apis.io/schemas/freshdesk/
#              freshdesk-ticket), where priority and source are numbers
#              (1=Low ... 4=Urgent; 1=Email, 2=Portal, 3=Phone, 7=Chat, 9=
#              Feedback Widget, 10=Outbound Email), which the maps below name;
#              and the names of the ticket export in the web app (Ticket ID,
#              Created time, Resolved time, Contact ID: as seen in its export,
#              not checked against a Freshdesk help page)
#   Intercom   the conversation statistics of its API and reporting export
#              (first_admin_reply_at, last_close_at; intercom.com/help article
#              6762778 "Reporting metrics for REST API and CSV exports"), and
#              conversation_started_at (developers.intercom.com, Reporting Data
#              Export)
#   Zendesk    the snake_case fields of its API and Explore exports (requester_id,
#              solved_at, reopens, satisfaction; developer.zendesk.com Ticket
#              Metrics); the Support web export has its own profile, zendesk.
# Freshdesk's and Intercom's exports have no satisfaction word column: the
# survey results come in their own export.
description help-desk tickets: opened, first reply, solved, reopened; reply and resolution times
source tickets
customer customer_id requester_id requester_email email requester.email "Requester email" "Contact ID" user_id
touch ticket_opened created_at | "Created time" | conversation_started_at
touch ticket_first_reply first_reply_at? | first_response_at? | first_responded_at? | stats.first_responded_at? | first_admin_reply_at?
touch ticket_solved solved_at? | resolved_at? | stats.resolved_at? | "Resolved time"? | last_close_at?
touch ticket_reopened reopened_at? | stats.reopened_at?
measure first_reply_s = first_reply_at? | first_response_at? | first_responded_at? | stats.first_responded_at? | first_admin_reply_at? - created_at | "Created time" | conversation_started_at on ticket_first_reply
measure resolution_s = solved_at? | resolved_at? | stats.resolved_at? | "Resolved time"? | last_close_at? - created_at | "Created time" | conversation_started_at on ticket_solved
measure reopens = reopens? on ticket_solved
measure csat = satisfaction? on ticket_solved
# Zendesk-style words as well as 1-5 scores
map satisfaction good=5 bad=1 "good with comment=5" "bad with comment=1" offered= "not offered=" unoffered=
channel channel? | source? | Source?
# Freshdesk's API codes; words such as email pass unchanged
map source 1=Email 2=Portal 3=Phone 7=Chat 9="Feedback Widget" 10="Outbound Email"
map priority 1=Low 2=Medium 3=High 4=Urgent
# The ticket's id on every touch; its text (what jvalue's rules read) on the
# ticket touches: when a copy of this profile adds a touch such as
# order_placed, the subject does not label it.
carry ticket_id? | "Ticket ID"? | id?
carry category? | type? | Type? priority? | Priority? subject? | Subject? on ticket_opened,ticket_first_reply,ticket_solved,ticket_reopened
