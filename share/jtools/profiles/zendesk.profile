# zendesk — the Zendesk Support ticket export (Admin Center > Reports >
# Export, CSV). Its times are in the account's time zone: add --tz ZONE.
# The export has no first-reply timestamp, only "First reply time in
# minutes", so first_reply_s rides on ticket_opened (the one touch every
# ticket has); resolution_s is Zendesk's full resolution time.
#
# A column written a | b is whichever of these names the export has (the first
# present wins): the web export's names ("Requester id", "Created at", ...)
# first, then the snake_case names of the same fields in Zendesk's API and the
# exports made from it (requester_id, created_at, solved_at, reopens,
# satisfaction, via, first_reply_time_in_minutes,
# full_resolution_time_in_minutes: developer.zendesk.com, Tickets and Ticket
# Metrics).
description Zendesk ticket export: opened, solved; first reply and full resolution minutes, Good/Bad rating
source tickets
customer "Requester id" "Requester external id" "Requester email" Requester requester_id
touch ticket_opened "Created at" | created_at
touch ticket_solved "Solved at"? | solved_at?
measure first_reply_s = "First reply time in minutes"? | first_reply_time_in_minutes? * 60 on ticket_opened
measure resolution_s = "Full resolution time in minutes"? | full_resolution_time_in_minutes? * 60 on ticket_solved
measure reopens = Reopens? | reopens? on ticket_solved
measure csat = "Satisfaction Score"? | satisfaction? on ticket_solved
map "Satisfaction Score" | satisfaction good=5 bad=1 "good with comment=5" "bad with comment=1" offered= "not offered=" unoffered=
channel Via? | via?
# The ticket's id on both touches; its text (what jvalue's rules read) on the
# ticket touches, which here are all of them: a copy that adds another touch
# keeps the subject off it.
carry ticket_id=Id | id
carry subject=Subject? | subject? group=Group? | group? priority=Priority? | priority? ticket_type="Ticket type"? | ticket_type? tags=Tags? | tags? status=Status? | status? on ticket_opened,ticket_solved
