# survey — one row per survey answer. See jtouch-profile(5); copy and edit.
description survey answers: NPS 0-10, CSAT 1-5, CES 1-7 on survey_response
source survey
customer customer_id respondent_id user_id email
touch survey_response submitted_at
# the score columns may be absent: a survey that asks only NPS still works
measure nps = nps?
measure csat = csat?
measure ces = ces?
channel channel?
carry response_id? comment?
