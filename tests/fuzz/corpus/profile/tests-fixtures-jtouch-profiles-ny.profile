# test profile: a log in New York local time
description New York local times (test fixture)
customer id
touch seen t
carry expect
tz America/New_York
