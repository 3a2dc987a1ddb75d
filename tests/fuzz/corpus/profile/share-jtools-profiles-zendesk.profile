# zendesk — the Zendesk Support ticket export (Admin Center > Reports >
# Export, CSV). Its times are in the account's time zone: add --tz ZONE.
# The export has no first-reply timestamp, only "First reply time in
# minutes", so first_reply_s rides on ticket_opened (the one touch every
# ticket has); resolution_s is Zendesk's full resolution time.
description Zendesk ticket export: opened, solved; first reply and full resolution minutes, Good/Bad rating
source tickets
customer "Requester id" "Requester external id" "Requester email" Requester
touch ticket_opened "Created at"
touch ticket_solved "Solved at"?
measure first_reply_s = "First reply time in minutes"? * 60 on ticket_opened
measure resolution_s = "Full resolution time in minutes"? * 60 on ticket_solved
measure reopens = Reopens? on ticket_solved
measure csat = "Satisfaction Score"? on ticket_solved
map "Satisfaction Score" good=5 bad=1 "good with comment=5" "bad with comment=1" offered= "not offered=" unoffered=
channel Via?
carry ticket_id=Id subject=Subject? group=Group? priority=Priority? ticket_type="Ticket type"? tags=Tags? status=Status?
