# referrals — a referral-program export, one row per invitation. The
# referrer owns referral_sent; the referee owns the sign-up and conversion.
# See jtouch-profile(5); copy and edit.
description referral program: referral_sent (referrer), referral_signup and referral_converted (referee)
source referrals
customer referrer_id referrer advocate_id
touch referral_sent sent_at
touch referral_signup signed_up_at? customer=referee_id
touch referral_converted converted_at? customer=referee_id
referee referee_id
channel channel?
carry referral_code? reward?
