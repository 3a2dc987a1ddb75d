# gensurvey.awk - deterministic synthetic survey export for `make bench`.
#
#   awk -f bench/gensurvey.awk [-v rows=1000000] [-v seed=20240101] > FILE
#
# Writes a CSV in the jtools touch-stream shape, one survey_response touch
# per row, sorted by time over calendar 2024:
#
#   customer,time,touchpoint,source,channel,nps,csat,ces,first_reply_s,
#   resolution_s,reopens,amount,delay_s,referee,comment
#
# All randomness comes from our own Park-Miller generator (not awk's rand()),
# so any POSIX awk (mawk, gawk, busybox) should produce identical output for a
# given seed.  Shape of the data:
#   customer  c000000..c199999, uniform (~199k distinct in 1M rows)
#   channel   web 40 %, email 25 %, app 20 %, phone 10 %, store 5 %
#   nps       0..10 skewed towards 8-10, ~3 % empty
#   csat      1..5, ~6 % empty;  ces 1..7, ~10 % empty
#   measures  first_reply_s..referee always empty
#   comment   ~30 % empty; otherwise 1-3 phrases matching the score; often
#             contains commas (quoted), ~1.5 % an embedded "" pair, ~0.5 % an
#             embedded newline.  Average row is ~103 bytes
#             (1M rows = ~102.6 MB, 1,003,491 physical lines).

function rnd() {
    # Park-Miller "minimal standard" with multiplier 48271; all products stay
    # below 2^47, so doubles compute it exactly in every awk.
    _s = (_s * 48271) % 2147483647
    return _s / 2147483647
}

function irand(n) {             # integer in [0, n)
    return int(rnd() * n)
}

function pick(list, n) {
    return list[irand(n) + 1]
}

function csvfield(s) {
    if (s ~ /[",\r\n]/) {
        gsub(/"/, "\"\"", s)
        return "\"" s "\""
    }
    return s
}

function comment(nps,    k, c, i, sep, n, r, w, prev) {
    if (nps == "")
        k = "mid"
    else if (nps >= 9)
        k = "pro"
    else if (nps >= 7)
        k = "mid"
    else
        k = "det"
    c = ""
    n = 1 + irand(3)
    for (i = 0; i < n; i++) {
        if (i == 0)
            sep = ""
        else {
            r = rnd()
            sep = (r < 0.55) ? ", " : (r < 0.9) ? ". " : "; "
        }
        do {
            if (k == "pro")
                w = pick(PRO, NPRO)
            else if (k == "det")
                w = pick(DET, NDET)
            else
                w = pick(MID, NMID)
        } while (w == prev)
        prev = w
        c = c sep w
    }
    r = rnd()
    if (r < 0.015)
        c = c " - the \"" pick(QUOTED, NQUOTED) "\" thing"
    else if (r < 0.020)
        c = c "\n" pick(TAIL, NTAIL)
    return c
}

function split_list(s, arr) {
    return split(s, arr, "|")
}

BEGIN {
    if (rows == "")
        rows = 1000000
    if (seed == "")
        seed = 20240101
    rows += 0
    _s = (seed % 2147483646) + 1

    NPRO = split_list("great service|very helpful agent|quick and easy" \
        "|solved my problem on the first call|love the new app" \
        "|friendly staff in the store|fast delivery, well packed" \
        "|everything worked as expected|would recommend to friends" \
        "|clear answers, no waiting|the agent went above and beyond" \
        "|easy returns|thanks|smooth checkout, good prices", PRO)
    NMID = split_list("ok|fine overall|took a while but got sorted" \
        "|website is slow at times|agent was polite, answer was vague" \
        "|had to explain twice|delivery was a day late" \
        "|app keeps logging me out|good product, average support" \
        "|prices went up|not bad|hold music is too long", MID)
    NDET = split_list("waited 40 minutes on hold|nobody called me back" \
        "|third time I report this, still broken|refund still not received" \
        "|rude agent|order arrived damaged, box crushed" \
        "|chat bot is useless|cancelled my subscription" \
        "|charged twice, no answer by email|store closed early, again" \
        "|terrible|the app crashes on login|wrong item sent", DET)
    NQUOTED = split_list("express|premium|free returns|smart|plus|gold", QUOTED)
    NTAIL = split_list("sent from my phone|PS: please call me" \
        "|order 48213|see previous ticket|thanks in advance", TAIL)
    NCHAN = split_list("web|email|app|phone|store", CHAN)
    CHW[1] = 0.40; CHW[2] = 0.65; CHW[3] = 0.85; CHW[4] = 0.95; CHW[5] = 1.0
    # nps 0..10 cumulative weights, promoter-heavy like real surveys
    NNPS = split("0.03 0.045 0.06 0.08 0.10 0.13 0.19 0.29 0.48 0.72 1.0", NPSW, " ")

    # day-of-year (0-based) -> month/day for leap year 2024
    split("31 29 31 30 31 30 31 31 30 31 30 31", mlen, " ")
    d = 0
    for (m = 1; m <= 12; m++)
        for (dd = 1; dd <= mlen[m]; dd++) {
            DATE[d] = sprintf("2024-%02d-%02dT", m, dd)
            d++
        }
    YEAR = 366 * 86400

    print "customer,time,touchpoint,source,channel,nps,csat,ces," \
          "first_reply_s,resolution_s,reopens,amount,delay_s,referee,comment"

    for (i = 0; i < rows; i++) {
        cust = sprintf("c%06d", irand(200000))

        t = int((i + rnd()) * YEAR / rows)      # nondecreasing over 2024
        day = int(t / 86400)
        sod = t - day * 86400
        ts = sprintf("%s%02d:%02d:%02dZ", DATE[day], int(sod / 3600),
                     int(sod / 60) % 60, sod % 60)

        r = rnd()
        for (c = 1; c < NCHAN && r >= CHW[c]; c++)
            ;
        chan = CHAN[c]

        r = rnd()
        if (r < 0.03)
            nps = ""
        else {
            r = rnd()
            for (v = 1; v < NNPS && r >= NPSW[v]; v++)
                ;
            nps = v - 1
        }

        if (rnd() < 0.06)
            csat = ""
        else if (nps == "")
            csat = 1 + irand(5)
        else {
            csat = int(nps / 2.5) + 1 + irand(2) - irand(2)
            if (csat < 1) csat = 1
            if (csat > 5) csat = 5
        }

        if (rnd() < 0.10)
            ces = ""
        else
            ces = 1 + irand(7)

        cm = (rnd() < 0.30) ? "" : csvfield(comment(nps))

        printf "%s,%s,survey_response,survey,%s,%s,%s,%s,,,,,,,%s\n",
               cust, ts, chan, nps, csat, ces, cm
    }
    exit 0
}
