# genreferrals.awk - deterministic synthetic referral export for `make bench`
# (the raw-export input of jrefer).
#
#   awk -f bench/genreferrals.awk [-v rows=1000000] [-v seed=20240301] > FILE
#
# Writes a CSV the way a referral program exports its invitations, one
# invitation per row, sorted by the time it was sent, over calendar 2024:
#
#   referrer,referee,sent_at,signed_up_at,converted_at
#
# All randomness comes from our own Park-Miller generator (not awk's rand()),
# as in gensurvey.awk, so any POSIX awk (mawk, gawk, busybox, the one true
# awk) should produce identical output for a given seed.  Shape of the data
# (figures for 1M rows):
#   customers  rows/50 seed customers (20,000), the roots of the trees, plus
#              every referee who signs up: ~420,300 customers in all, and
#              ~972,200 distinct ids (the invitees who never sign up
#              included).  Only customers send invitations, and only from
#              their sign-up on, so the invitations form referral trees
#              (11 generations at 1M rows).
#   referrer   25 % from the first 2,000 customers (super-referrers, all
#              seeds here), the others uniform over the customers who have
#              signed up by then
#   referee    95 % a new id (never seen before);  4 % a double claim: an
#              id invited earlier, which jrefer rejects as 'already
#              referred';  0.5 % a reminder: the referrer's last new
#              referee again ('repeat invitation'; a new id when there is
#              none);  0.25 % the referrer itself ('self-referral');  0.25 %
#              the root of the referrer's tree ('cycle'; a new id when the
#              referrer is a root).  jrefer rejects ~4.8 % of the rows:
#              40,080 already referred, 3,665 repeat invitations, 2,507
#              self-referrals (a double claim can hit the referrer), 1,519
#              cycles.
#   ids        C0000000..C9999999, scattered over the range
#   sent_at    ISO 8601 UTC, nondecreasing: 2024-05-03T14:22:05Z
#   signed_up_at  42 % of the new referees, 10 minutes to 5 days after the
#              invitation; empty otherwise (and on every rejected row)
#   converted_at  half of those who signed up, 1 hour to 20 days after the
#              sign-up; empty otherwise.  Sign-ups and conversions may fall
#              in early 2025.
#   size       ~53 bytes a row (1M rows = ~53.0 MB); no quoting, so physical
#              lines = rows + 1.

function rnd() {
    # Park-Miller "minimal standard" with multiplier 48271; all products stay
    # below 2^47, so doubles compute it exactly in every awk.
    _s = (_s * 48271) % 2147483647
    return _s / 2147483647
}

function irand(n) {             # integer in [0, n)
    return int(rnd() * n)
}

# id: customer number n as an id; 7919 is prime to 10^7, so the map is a
# bijection that scatters consecutive numbers over the range
function id(n) {
    return sprintf("C%07d", (n * 7919 + 12345) % 10000000)
}

# ts: seconds since 2024-01-01T00:00:00Z as ISO 8601 UTC
function ts(t,    day, sod) {
    day = int(t / 86400)
    sod = t - day * 86400
    return sprintf("%s%02d:%02d:%02dZ", DATE[day], int(sod / 3600),
                   int(sod / 60) % 60, sod % 60)
}

# referrer: a pool index of a customer who has signed up by time t
function referrer(t,    k, try) {
    if (rnd() < 0.25)
        return irand(NP < 2000 ? NP : 2000) + 1
    for (try = 0; try < 4; try++) {
        k = irand(NP) + 1
        if (READY[k] <= t)
            return k
    }
    return irand(SEEDS) + 1
}

BEGIN {
    if (rows == "")
        rows = 1000000
    if (seed == "")
        seed = 20240301
    rows += 0
    _s = (seed % 2147483646) + 1

    # day index (0 = 2024-01-01) -> date, over 2024 and 2025
    split("31 29 31 30 31 30 31 31 30 31 30 31", mlen, " ")
    d = 0
    for (y = 2024; y <= 2025; y++)
        for (m = 1; m <= 12; m++)
            for (dd = 1; dd <= mlen[m] - (y == 2025 && m == 2); dd++) {
                DATE[d] = sprintf("%d-%02d-%02dT", y, m, dd)
                d++
            }
    YEAR = 366 * 86400

    # the pool of customers who may refer: number, time from which they
    # may, and the number of their tree's root
    SEEDS = int(rows / 50)
    if (SEEDS < 1)
        SEEDS = 1
    for (NP = 1; NP <= SEEDS; NP++) {
        NUM[NP] = NP
        READY[NP] = 0
        ROOT[NP] = NP
    }
    NP = SEEDS
    next_num = SEEDS + 1        # the next new id's number

    print "referrer,referee,sent_at,signed_up_at,converted_at"

    for (i = 0; i < rows; i++) {
        t = int((i + rnd()) * YEAR / rows)      # nondecreasing over 2024
        k = referrer(t)
        from = NUM[k]
        su = ""
        cv = ""
        x = rnd()
        if (x < 0.0025)
            to = from                           # self-referral
        else if (x < 0.005 && ROOT[k] != from)
            to = ROOT[k]                        # closes a cycle
        else if (x >= 0.005 && x < 0.045 && next_num > SEEDS + 1)
            to = SEEDS + 1 + irand(next_num - SEEDS - 1)  # double claim
        else if (x >= 0.045 && x < 0.05 && (k in LAST))
            to = LAST[k]                        # a reminder
        else {
            to = next_num++                     # a new referee
            LAST[k] = to
            if (rnd() < 0.42) {
                s = t + 600 + irand(5 * 86400)
                su = ts(s)
                if (rnd() < 0.5)
                    cv = ts(s + 3600 + irand(20 * 86400))
                NP++
                NUM[NP] = to
                READY[NP] = s
                ROOT[NP] = ROOT[k]
            }
        }
        printf "%s,%s,%s,%s,%s\n", id(from), id(to), ts(t), su, cv
    }
    exit 0
}
