# Test profile for ../shared/data/real/support-tickets-kaggle/customer_support_tickets.csv
# (Kaggle "Customer Support Ticket Dataset", re-saved by a spreadsheet: BOM, CRLF,
# M/D/YYYY dates, bare LF inside quoted descriptions, a last all-empty row).
description Kaggle support tickets (test fixture)
source support
customer "Customer Email"
date_order mdy
touch purchase "Date of Purchase"
touch ticket_first_reply "First Response Time"?
touch ticket_solved "Time to Resolution"?
# Resolution minus first response: negative in 1,365 closed tickets (an upstream artefact)
measure resolution_s = "Time to Resolution"? - "First Response Time"? on ticket_solved
measure csat = "Customer Satisfaction Rating"? on ticket_solved
channel "Ticket Channel"
carry ticket_id="Ticket ID"
