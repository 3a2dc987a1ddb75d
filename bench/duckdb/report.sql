-- report.sql - the README pipeline's report in one DuckDB query, for `make bench`.
--
-- Reads the four raw exports of bench/genexports.awk (surveys, tickets,
-- orders, referrals: the sample exports' columns) and computes every cell
-- of
--
--   jtouch -p survey surveys.csv -p tickets tickets.csv -p orders orders.csv \
--          -p referrals referrals.csv \
--     | jstage --outcome default | jvalue \
--     | jkpi -s -g activity,stage --per customer \
--         -k touches=count,customers=distinct:customer,nps:next_nps,csat:next_csat,p50:resolution_s,p90:resolution_s,rate:referred
--
-- with the same figures, printed the same way, so that bench/duckdb/compare.mjs
-- can check the two reports cell by cell.  bench/duckdb/report.mjs puts the
-- files' paths in place of @SURVEYS@, @TICKETS@, @ORDERS@ and @REFERRALS@ and
-- writes the result as CSV.  What each step reproduces, and from where:
--
-- jtouch (share/jtools/profiles/{survey,tickets,orders,referrals}.profile,
-- jtouch(1)): the customer is customer_id, and referrer_id for referral_sent,
-- referee_id for referral_signup and referral_converted (the aliases these
-- exports have); a row whose field count is not the header's is dropped
-- (ignore_errors), as jtouch rejects it; a row is rejected whole when one of
-- its times is not empty and cannot be read, when a touch that has a time has
-- no customer, or when a measure is not a number or out of its range (nps
-- 0-10, csat 1-5, ces 1-7, reopens 0 or more, all whole; amount any number);
-- the satisfaction words are mapped first (good=5, bad=1, offered=empty, ...);
-- an empty time emits no touch.  Times: YYYY-MM-DD[T ]HH:MM[:SS[.frac]] with
-- Z, UTC or an offset, or naive (UTC, as no profile sets --tz: report.mjs
-- sets the session's time zone to UTC), and
-- D.M.YYYY [H:MM[:SS]] (DuckDB's cast to TIMESTAMPTZ, then strptime): the
-- forms the exports have; fractions are dropped.
-- Touches keep the input order for ties: files in command-line order, rows in
-- file order (row_number() over the reader's output, which DuckDB keeps in
-- file order), touches in the order the profile declares them.
--
-- jstage --outcome default (share/jtools/stages.rules, jstage(1)): stage = the
-- first rule whose pattern matches touchpoint (RE2 here, PCRE2 in jstage: the
-- patterns use nothing the two read differently); each customer's timeline is
-- ordered by time, then input order; next_nps / next_csat = the nearest later
-- non-empty value within 90 days (inclusive), referred = 1 when a later touch
-- within 90 days is referral_sent.
--
-- jvalue (share/jtools/value-chain.rules): activity = the first matching rule,
-- rules on category, subject, comment and touchpoint; the rule on 'title'
-- never matches, as the touch stream of these exports has no such column.
--
-- jkpi --per customer (DESIGN.md section 6, jkpi(1)): each customer counts
-- once per cell and KPI: for each KPI, the customer's first row in the cell
-- (in timeline order, the order jstage writes) that has a value for it;
-- count and distinct: the customers.  _missing = customers of the cell with
-- no value.  NPS, CSAT, rate and the quantiles are exact and rounded half
-- away from zero; the intervals are computed in double precision in jkpi's
-- order of operations and rounded the same way.
WITH
surveys AS (
    SELECT row_number() OVER () AS rn, *
    FROM read_csv(@SURVEYS@, header = true, delim = ',', quote = '"', escape = '"',
        ignore_errors = true, auto_detect = false, columns = {
            'response_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'submitted_at': 'VARCHAR',
            'channel': 'VARCHAR', 'nps': 'VARCHAR', 'csat': 'VARCHAR', 'ces': 'VARCHAR',
            'comment': 'VARCHAR'})
),
tickets AS (
    SELECT row_number() OVER () AS rn, *
    FROM read_csv(@TICKETS@, header = true, delim = ',', quote = '"', escape = '"',
        ignore_errors = true, auto_detect = false, columns = {
            'ticket_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'created_at': 'VARCHAR',
            'first_reply_at': 'VARCHAR', 'solved_at': 'VARCHAR', 'reopened_at': 'VARCHAR',
            'satisfaction': 'VARCHAR', 'reopens': 'VARCHAR', 'channel': 'VARCHAR',
            'category': 'VARCHAR', 'priority': 'VARCHAR', 'subject': 'VARCHAR'})
),
orders AS (
    SELECT row_number() OVER () AS rn, *
    FROM read_csv(@ORDERS@, header = true, delim = ',', quote = '"', escape = '"',
        ignore_errors = true, auto_detect = false, columns = {
            'order_id': 'VARCHAR', 'customer_id': 'VARCHAR', 'placed_at': 'VARCHAR',
            'approved_at': 'VARCHAR', 'shipped_at': 'VARCHAR', 'delivered_at': 'VARCHAR',
            'estimated_delivery_at': 'VARCHAR', 'amount': 'VARCHAR', 'channel': 'VARCHAR',
            'status': 'VARCHAR'})
),
referrals AS (
    SELECT row_number() OVER () AS rn, *
    FROM read_csv(@REFERRALS@, header = true, delim = ',', quote = '"', escape = '"',
        ignore_errors = true, auto_detect = false, columns = {
            'referral_code': 'VARCHAR', 'referrer_id': 'VARCHAR', 'referee_id': 'VARCHAR',
            'sent_at': 'VARCHAR', 'signed_up_at': 'VARCHAR', 'converted_at': 'VARCHAR',
            'channel': 'VARCHAR', 'reward': 'VARCHAR'})
),
-- Every export row in one shape: the time strings of its touches in the
-- profile's order (x1..x4; the orders' estimate is x5: a measure's time, not
-- a touch), the customer of the first touch and of the others (referrals:
-- the referee's sign-up and conversion), the values to check and carry.
raw AS (
    SELECT 1 AS src, rn, customer_id AS c1, customer_id AS c2,
        submitted_at AS x1, NULL AS x2, NULL AS x3, NULL AS x4, NULL AS x5,
        nps, csat, ces, NULL AS reopens, NULL AS amount,
        comment, NULL AS category, NULL AS subject
    FROM surveys
    UNION ALL
    SELECT 2, rn, customer_id, customer_id,
        created_at, first_reply_at, solved_at, reopened_at, NULL,
        NULL,
        CASE lower(satisfaction)
            WHEN 'good' THEN '5' WHEN 'bad' THEN '1'
            WHEN 'good with comment' THEN '5' WHEN 'bad with comment' THEN '1'
            WHEN 'offered' THEN NULL WHEN 'not offered' THEN NULL WHEN 'unoffered' THEN NULL
            ELSE satisfaction END,
        NULL, reopens, NULL, NULL, category, subject
    FROM tickets
    UNION ALL
    SELECT 3, rn, customer_id, customer_id,
        placed_at, approved_at, shipped_at, delivered_at, estimated_delivery_at,
        NULL, NULL, NULL, NULL, amount, NULL, NULL, NULL
    FROM orders
    UNION ALL
    SELECT 4, rn, referrer_id, referee_id,
        sent_at, signed_up_at, converted_at, NULL, NULL,
        NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL
    FROM referrals
),
-- The times, read (the session's time zone is UTC, report.mjs sets it):
-- epoch seconds, fractions dropped; NULL when empty or not a time.
timed AS (
    SELECT *,
        floor(coalesce(epoch(TRY_CAST(x1 AS TIMESTAMPTZ)),
            epoch(try_strptime(x1, ['%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y']))))::BIGINT AS t1,
        floor(coalesce(epoch(TRY_CAST(x2 AS TIMESTAMPTZ)),
            epoch(try_strptime(x2, ['%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y']))))::BIGINT AS t2,
        floor(coalesce(epoch(TRY_CAST(x3 AS TIMESTAMPTZ)),
            epoch(try_strptime(x3, ['%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y']))))::BIGINT AS t3,
        floor(coalesce(epoch(TRY_CAST(x4 AS TIMESTAMPTZ)),
            epoch(try_strptime(x4, ['%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y']))))::BIGINT AS t4,
        floor(coalesce(epoch(TRY_CAST(x5 AS TIMESTAMPTZ)),
            epoch(try_strptime(x5, ['%d.%m.%Y %H:%M:%S', '%d.%m.%Y %H:%M', '%d.%m.%Y']))))::BIGINT AS t5
    FROM raw
),
-- The rows jtouch keeps: no time that is there but cannot be read, a
-- customer on every touch that has a time, every measure a number in its
-- range (a number: [+-]digits[.digits] or .digits, with an exponent).
kept AS (
    SELECT *
    FROM timed
    WHERE NOT (coalesce(x1, '') <> '' AND t1 IS NULL OR coalesce(x2, '') <> '' AND t2 IS NULL
            OR coalesce(x3, '') <> '' AND t3 IS NULL OR coalesce(x4, '') <> '' AND t4 IS NULL
            OR coalesce(x5, '') <> '' AND t5 IS NULL)
      AND (t1 IS NULL OR coalesce(c1, '') <> '')
      AND (t2 IS NULL AND t3 IS NULL AND t4 IS NULL OR coalesce(c2, '') <> '')
      AND (coalesce(nps, '') = '' OR regexp_full_match(nps, '[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?')
           AND TRY_CAST(nps AS DOUBLE) BETWEEN 0 AND 10 AND TRY_CAST(nps AS DOUBLE) = floor(TRY_CAST(nps AS DOUBLE)))
      AND (coalesce(csat, '') = '' OR regexp_full_match(csat, '[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?')
           AND TRY_CAST(csat AS DOUBLE) BETWEEN 1 AND 5 AND TRY_CAST(csat AS DOUBLE) = floor(TRY_CAST(csat AS DOUBLE)))
      AND (coalesce(ces, '') = '' OR regexp_full_match(ces, '[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?')
           AND TRY_CAST(ces AS DOUBLE) BETWEEN 1 AND 7 AND TRY_CAST(ces AS DOUBLE) = floor(TRY_CAST(ces AS DOUBLE)))
      AND (coalesce(reopens, '') = '' OR regexp_full_match(reopens, '[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?')
           AND TRY_CAST(reopens AS DOUBLE) BETWEEN 0 AND 1e19 AND TRY_CAST(reopens AS DOUBLE) = floor(TRY_CAST(reopens AS DOUBLE)))
      AND (coalesce(amount, '') = '' OR regexp_full_match(amount, '[+-]?(\d+(\.\d+)?|\.\d+)([eE][+-]?\d+)?')
           AND abs(TRY_CAST(amount AS DOUBLE)) < 1e20)
),
-- One row per touch, with the measures the report reads: nps and csat on
-- the survey answer, csat (satisfaction) and resolution_s on ticket_solved.
touches AS (
    SELECT
        CASE WHEN u.k = 1 THEN c1 ELSE c2 END AS customer,
        u.t AS t,
        (src::BIGINT << 40) | (rn << 6) | u.k AS ord,
        CASE src
            WHEN 1 THEN 'survey_response'
            WHEN 2 THEN ['ticket_opened', 'ticket_first_reply', 'ticket_solved', 'ticket_reopened'][u.k]
            WHEN 3 THEN ['order_placed', 'order_approved', 'order_shipped', 'order_delivered'][u.k]
            ELSE ['referral_sent', 'referral_signup', 'referral_converted'][u.k] END AS touchpoint,
        CASE WHEN src = 1 THEN TRY_CAST(nullif(nps, '') AS DOUBLE)::INT END AS nps,
        CASE WHEN src = 1 OR src = 2 AND u.k = 3 THEN TRY_CAST(nullif(csat, '') AS DOUBLE)::INT END AS csat,
        CASE WHEN src = 2 AND u.k = 3 AND t3 - t1 >= 0 THEN t3 - t1 END AS resolution_s,
        comment, category, subject
    FROM (SELECT *, unnest([{'k': 1, 't': t1}, {'k': 2, 't': t2}, {'k': 3, 't': t3}, {'k': 4, 't': t4}]) AS u
          FROM kept)
    WHERE u.t IS NOT NULL
),
-- jstage's stage and jvalue's activity: the first matching rule.  The rules
-- on touchpoint are evaluated once per touchpoint, over the twelve the four
-- profiles make (as jstage and jvalue remember them per distinct value);
-- the rules on the text columns once per touch, before them.
touchpoints AS (
    SELECT touchpoint,
        CASE
            WHEN regexp_matches(touchpoint, '^(ad_impression|ad_click|site_visit|first_visit|landing_page_view)$') THEN 'awareness'
            WHEN regexp_matches(touchpoint, '^(page_view|product_view|search|email_open|email_click)$') THEN 'consideration'
            WHEN regexp_matches(touchpoint, '^(signup|referral_signup|trial_started|demo_requested|add_to_cart|checkout_started)$') THEN 'consideration'
            WHEN regexp_matches(touchpoint, '^(order_placed|order_approved|order_shipped|order_delivered|referral_converted)$') THEN 'purchase'
            WHEN regexp_matches(touchpoint, '^(purchase|checkout_completed|subscription_started)$') THEN 'purchase'
            WHEN regexp_matches(touchpoint, '^(ticket_opened|ticket_first_reply|ticket_solved|ticket_reopened)$') THEN 'support'
            WHEN regexp_matches(touchpoint, '^(order_returned|refund_requested|chat_started|contact_form)$') THEN 'support'
            WHEN regexp_matches(touchpoint, '^(survey_response|login|app_open|subscription_renewed)$') THEN 'loyalty'
            WHEN regexp_matches(touchpoint, '^(referral_sent|review_posted|share|social_share|invite_sent)$') THEN 'advocacy'
            WHEN regexp_matches(touchpoint, '^(ad|campaign|social)_\w+$') THEN 'awareness'
            WHEN regexp_matches(touchpoint, '^(email|newsletter|trial|cart|checkout)_\w+$') THEN 'consideration'
            WHEN regexp_matches(touchpoint, '^(order|payment)_\w+$') THEN 'purchase'
            WHEN regexp_matches(touchpoint, '^(ticket|chat|call|refund|return)_\w+$') THEN 'support'
            WHEN regexp_matches(touchpoint, '^(subscription|survey|loyalty)_\w+$') THEN 'loyalty'
            WHEN regexp_matches(touchpoint, '^(referral|review|invite)_\w+$') THEN 'advocacy'
            ELSE '' END AS stage,
        CASE
            WHEN regexp_matches(touchpoint, '^(stock_received|restock|inventory_\w+|supplier_\w+)$') THEN 'inbound_logistics'
            WHEN regexp_matches(touchpoint, '^(order_approved|order_packed|provisioning_\w+|installation_\w+)$') THEN 'operations'
            WHEN regexp_matches(touchpoint, '^(order_shipped|order_delivered|shipment_\w+|delivery_\w+)$') THEN 'outbound_logistics'
            WHEN regexp_matches(touchpoint, '^(ad_\w+|campaign_\w+|social_\w+|email_\w+|newsletter_\w+|site_visit|first_visit|landing_page_view|page_view|product_view|search|add_to_cart|checkout_\w+|signup|trial_\w+|demo_requested|order_placed|purchase|subscription_started|referral_\w+)$') THEN 'marketing_sales'
            WHEN regexp_matches(touchpoint, '^(ticket_\w+|chat_\w+|call_\w+|refund_\w+|return_\w+|order_returned|survey_response|review_posted|subscription_renewed|login|app_open)$') THEN 'service'
            ELSE '' END AS tp_activity
    FROM (VALUES ('survey_response'), ('ticket_opened'), ('ticket_first_reply'), ('ticket_solved'),
        ('ticket_reopened'), ('order_placed'), ('order_approved'), ('order_shipped'),
        ('order_delivered'), ('referral_sent'), ('referral_signup'), ('referral_converted')) AS v(touchpoint)
),
labelled AS (
    SELECT customer, t, ord, touchpoint, nps, csat, resolution_s, stage,
        CASE
            WHEN regexp_matches(category, '(?i)defect|damaged|broken|faulty|wrong item|counterfeit|poor quality') THEN 'procurement'
            WHEN regexp_matches(subject, '(?i)defect|damaged|broken|faulty|wrong item|counterfeit|poor quality') THEN 'procurement'
            WHEN regexp_matches(comment, '(?i)defe[ic]t|damaged|broken|faulty|wrong item|counterfeit|poor quality|quebrad|danificad|defeito|produto errado') THEN 'procurement'
            WHEN regexp_matches(category, '(?i)\b(login|log in|password|technical|bug|app|website|outage|error)\b') THEN 'technology'
            WHEN regexp_matches(subject, '(?i)\b(login|log in|password|bug|crash|app|website|outage|error)\b') THEN 'technology'
            WHEN regexp_matches(comment, '(?i)\b(login|log in|password|bug|crash|app|website|outage|error message)\b') THEN 'technology'
            WHEN regexp_matches(category, '(?i)rude|impolite|unfriendly|staff|agent behaviou?r') THEN 'human_resources'
            WHEN regexp_matches(comment, '(?i)\brude\b|impolite|unfriendly|unhelpful (agent|staff)|atendente|mal educad') THEN 'human_resources'
            WHEN regexp_matches(category, '(?i)billing|invoice|payment|charge|refund') THEN 'infrastructure'
            WHEN regexp_matches(subject, '(?i)billing|invoice|payment|charged|refund') THEN 'infrastructure'
            ELSE tp_activity END AS activity
    FROM touches JOIN touchpoints USING (touchpoint)
),
-- Each customer's timeline: step, and what happened next within 90 days.
-- The next value and its time come from one window function, lead over the
-- non-empty values: time * 16 + value (nps 0-10, csat 1-5).
journeys AS (
    SELECT activity, stage, customer, resolution_s, t,
        row_number() OVER w AS step,
        lead(CASE WHEN nps IS NOT NULL THEN t * 16 + nps END IGNORE NULLS) OVER w AS nps_tv,
        lead(CASE WHEN csat IS NOT NULL THEN t * 16 + csat END IGNORE NULLS) OVER w AS csat_tv,
        lead(CASE WHEN touchpoint = 'referral_sent' THEN t END IGNORE NULLS) OVER w AS ref_t
    FROM labelled
    WINDOW w AS (PARTITION BY customer ORDER BY t, ord)
),
outcomes AS (
    SELECT activity, stage, customer, resolution_s, step,
        CASE WHEN nps_tv // 16 - t <= 7776000 THEN nps_tv % 16 END AS next_nps,
        CASE WHEN csat_tv // 16 - t <= 7776000 THEN csat_tv % 16 END AS next_csat,
        CASE WHEN ref_t - t <= 7776000 THEN 1 ELSE 0 END AS referred
    FROM journeys
),
-- --per customer: each customer once per cell and KPI.
per_customer AS (
    SELECT activity, stage, customer,
        arg_min(next_nps, step) FILTER (WHERE next_nps IS NOT NULL) AS nps,
        arg_min(next_csat, step) FILTER (WHERE next_csat IS NOT NULL) AS csat,
        arg_min(resolution_s, step) FILTER (WHERE resolution_s IS NOT NULL) AS res,
        arg_min(referred, step) AS referred
    FROM outcomes
    GROUP BY activity, stage, customer
),
cells AS (
    SELECT activity, stage,
        count(*) AS customers,
        count(nps) AS nps_n,
        count(*) FILTER (WHERE nps >= 9) AS promoters,
        count(*) FILTER (WHERE nps BETWEEN 7 AND 8) AS passives,
        count(*) FILTER (WHERE nps <= 6) AS detractors,
        count(csat) AS csat_n,
        count(*) FILTER (WHERE csat >= 4) AS satisfied,
        list_sort(coalesce(list(res) FILTER (WHERE res IS NOT NULL), []::BIGINT[])) AS res,
        count(referred) AS ref_n,
        count(*) FILTER (WHERE referred <> 0) AS hits
    FROM per_customer
    GROUP BY activity, stage
),
-- The figures: exact ones as integers (hundredths, or seconds for the
-- quantiles) rounded half away from zero; intervals as doubles.
figures AS (
    SELECT *,
        CASE WHEN nps_n > 0 THEN sign(promoters - detractors)
            * ((abs(promoters - detractors) * 20000 + nps_n) // (2 * nps_n)) END AS nps_h,
        CASE WHEN csat_n > 0 THEN (satisfied * 20000 + csat_n) // (2 * csat_n) END AS csat_h,
        CASE WHEN ref_n > 0 THEN (hits * 20000 + ref_n) // (2 * ref_n) END AS rate_h,
        len(res) AS res_n,
        -- type 7: h = (n - 1) q / 100, x[lo] + (h - lo) (x[lo + 1] - x[lo]), times 100
        CASE WHEN len(res) > 0 THEN
            res[(len(res) - 1) * 50 // 100 + 1] * 100 + ((len(res) - 1) * 50 % 100)
            * (res[(len(res) - 1) * 50 // 100 + CASE WHEN (len(res) - 1) * 50 % 100 > 0 THEN 2 ELSE 1 END]
               - res[(len(res) - 1) * 50 // 100 + 1]) END AS p50_c,
        CASE WHEN len(res) > 0 THEN
            res[(len(res) - 1) * 90 // 100 + 1] * 100 + ((len(res) - 1) * 90 % 100)
            * (res[(len(res) - 1) * 90 // 100 + CASE WHEN (len(res) - 1) * 90 % 100 > 0 THEN 2 ELSE 1 END]
               - res[(len(res) - 1) * 90 // 100 + 1]) END AS p90_c,
        -- NPS: adjusted Wald (jkpi's order of operations)
        (promoters::DOUBLE + 0.75::DOUBLE) / (nps_n::DOUBLE + 3.0::DOUBLE) AS np,
        (detractors::DOUBLE + 0.75::DOUBLE) / (nps_n::DOUBLE + 3.0::DOUBLE) AS nd
    FROM cells
),
intervals AS (
    SELECT *,
        CASE WHEN nps_n > 0 THEN ((np - nd) - 1.959963984540054::DOUBLE * sqrt((np + nd - (np - nd) * (np - nd)) / (nps_n + 3.0))) * 100 END AS nps_lo,
        CASE WHEN nps_n > 0 THEN ((np - nd) + 1.959963984540054::DOUBLE * sqrt((np + nd - (np - nd) * (np - nd)) / (nps_n + 3.0))) * 100 END AS nps_hi,
        -- Wilson: p = x / n, c = (p + z^2 / 2n) / (1 + z^2 / n),
        -- h = z / (1 + z^2 / n) * sqrt(p (1 - p) / n + z^2 / 4n^2)
        [{'x': satisfied::DOUBLE, 'n': csat_n::DOUBLE}, {'x': hits::DOUBLE, 'n': ref_n::DOUBLE}] AS xn
    FROM figures
),
wilson AS (
    SELECT *,
        list_transform(xn, lambda w: CASE WHEN w.n > 0 THEN [
            ((w.x / w.n + 1.959963984540054::DOUBLE * 1.959963984540054::DOUBLE / (2 * w.n)) / (1 + 1.959963984540054::DOUBLE * 1.959963984540054::DOUBLE / w.n)
             - 1.959963984540054::DOUBLE / (1 + 1.959963984540054::DOUBLE * 1.959963984540054::DOUBLE / w.n)
               * sqrt(w.x / w.n * (1 - w.x / w.n) / w.n + 1.959963984540054::DOUBLE * 1.959963984540054::DOUBLE / (4 * w.n * w.n))),
            ((w.x / w.n + 1.959963984540054::DOUBLE * 1.959963984540054::DOUBLE / (2 * w.n)) / (1 + 1.959963984540054::DOUBLE * 1.959963984540054::DOUBLE / w.n)
             + 1.959963984540054::DOUBLE / (1 + 1.959963984540054::DOUBLE * 1.959963984540054::DOUBLE / w.n)
               * sqrt(w.x / w.n * (1 - w.x / w.n) / w.n + 1.959963984540054::DOUBLE * 1.959963984540054::DOUBLE / (4 * w.n * w.n)))]
            END) AS lohi
    FROM intervals
),
-- Printed as jkpi prints: hundredths as d.dd, doubles rounded half away
-- from zero to 2 decimals (no -0.00), clamped to their range.
printed AS (
    SELECT *,
        list_transform([nps_h, csat_h, rate_h], lambda h: CASE WHEN h IS NOT NULL THEN
            printf('%s%d.%02d', CASE WHEN h < 0 THEN '-' ELSE '' END, abs(h) // 100, abs(h) % 100) END) AS exact2,
        list_transform([CASE WHEN nps_lo < -100 THEN -100 ELSE nps_lo END, CASE WHEN nps_hi > 100 THEN 100 ELSE nps_hi END,
                        CASE WHEN lohi[1][1] < 0 THEN 0 ELSE lohi[1][1] * 100 END,
                        CASE WHEN lohi[1][2] > 1 THEN 100 ELSE lohi[1][2] * 100 END,
                        CASE WHEN lohi[2][1] < 0 THEN 0 ELSE lohi[2][1] * 100 END,
                        CASE WHEN lohi[2][2] > 1 THEN 100 ELSE lohi[2][2] * 100 END],
            lambda d: CASE WHEN d IS NOT NULL AND d = d THEN
                printf('%.2f', CASE WHEN round(d * 100) = 0 THEN 0.0 ELSE round(d * 100) / 100 END) END) AS dbl2,
        list_transform([p50_c, p90_c], lambda c: CASE WHEN c IS NOT NULL THEN
            (sign(c) * ((abs(c) * 2 + 100) // 200))::BIGINT END) AS quant
    FROM wilson
)
SELECT activity, stage,
    customers AS touches,
    customers,
    0 AS customers_missing,
    exact2[1] AS nps_next_nps, dbl2[1] AS nps_next_nps_lo, dbl2[2] AS nps_next_nps_hi,
    promoters AS nps_next_nps_promoters, passives AS nps_next_nps_passives,
    detractors AS nps_next_nps_detractors, nps_n AS nps_next_nps_n,
    customers - nps_n AS nps_next_nps_missing,
    exact2[2] AS csat_next_csat, dbl2[3] AS csat_next_csat_lo, dbl2[4] AS csat_next_csat_hi,
    satisfied AS csat_next_csat_satisfied, csat_n AS csat_next_csat_n,
    customers - csat_n AS csat_next_csat_missing,
    quant[1] AS p50_resolution_s, res_n AS p50_resolution_s_n, customers - res_n AS p50_resolution_s_missing,
    quant[2] AS p90_resolution_s, res_n AS p90_resolution_s_n, customers - res_n AS p90_resolution_s_missing,
    exact2[3] AS rate_referred, dbl2[5] AS rate_referred_lo, dbl2[6] AS rate_referred_hi,
    hits AS rate_referred_hits, ref_n AS rate_referred_n, customers - ref_n AS rate_referred_missing
FROM printed
ORDER BY activity, stage
