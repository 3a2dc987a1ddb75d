# survey — one row per survey answer. See jtouch-profile(5); copy and edit.
#
# A column written a | b | c is whichever of these names the export has (the
# first present wins):
#   Qualtrics     RecordedDate, EndDate, ResponseId, RecipientEmail,
#                 ExternalReference, DistributionChannel: the fixed columns of a
#                 Qualtrics response export (StartDate,EndDate,Status,...,
#                 RecordedDate,ResponseId,...,RecipientEmail,ExternalReference,
#                 ...,DistributionChannel,UserLanguage,Q1...; qualtrics.com
#                 support, "Understanding Your Dataset"). Its CSV has three
#                 header lines, the second and third repeating the questions
#                 and their ImportIds: export with one, or drop them first.
#   SurveyMonkey  "End Date", "Respondent ID", "Email Address": its CSV export
#                 starts Respondent ID,Collector ID,Start Date,End Date,IP
#                 Address,Email Address,First Name,Last Name,Custom Data 1 (as
#                 seen in its exports, not checked against a SurveyMonkey help
#                 page); its dates are month first (add --date-order mdy). Its
#                 API v3 names the address email_address (api.surveymonkey.net
#                 /v3/docs, survey responses).
#   Typeform      "Submit Date (UTC)" (older exports: "Submitted At") and "#",
#                 the response token: # ,...,Start Date (UTC),Submit Date (UTC),
#                 Network ID (as seen in its exports, not checked against a
#                 Typeform help page); a hidden field named email is the
#                 customer. Its Responses API has submitted_at and response_id
#                 (typeform.com/developers, Retrieve responses).
# The score columns are named after the questions, so they are yours to name:
#   jtouch -p survey --measure 'nps = Q1' export.csv
description survey answers: NPS 0-10, CSAT 1-5, CES 1-7 on survey_response
source survey
customer customer_id respondent_id user_id email email_address ExternalReference RecipientEmail "Email Address" "Respondent ID"
touch survey_response submitted_at | RecordedDate | EndDate | "End Date" | "Submit Date (UTC)" | "Submitted At"
# the score columns may be absent: a survey that asks only NPS still works
measure nps = nps?
measure csat = csat?
measure ces = ces?
channel channel? | DistributionChannel?
carry response_id=response_id? | ResponseId? | "Respondent ID"? | "#"? comment?
