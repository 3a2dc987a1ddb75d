# genevents.awk - deterministic synthetic web/product event export for
# `make bench` (the input of `jtouch -p events`).
#
#   awk -f bench/genevents.awk [-v rows=1000000] [-v seed=20240501] > FILE
#
# Writes a CSV the way a product-analytics tool exports raw events, one event
# per row, sorted by instant over calendar 2024:
#
#   user_id,event,timestamp,channel,page
#
# All randomness comes from our own Park-Miller generator (not awk's rand()),
# as in gensurvey.awk, so any POSIX awk (mawk, gawk, busybox) should produce
# identical output for a given seed.  Shape of the data:
#   user_id    U0010000..U0059999 (50,000 users, all present in 1M rows);
#              skewed: 5 % of the users make ~38 % of the events
#   event      product_view 30 %, site_visit 28 %, app_open 12 %,
#              ad_click 10 %, login 9 %, add_to_cart 7 %, purchase 2.5 %,
#              signup 1.5 %
#   timestamp  ISO 8601, nondecreasing in UTC: 2024-05-03T14:22:05Z; ~10 %
#              in local time with an offset instead of Z (+02:00, -05:00,
#              +05:30, ...; the local date may fall on 2023-12-31 or
#              2025-01-01), ~5 % with milliseconds (2024-05-03T14:22:05.123Z),
#              independently of the offset
#   channel    app_open: app; ad_click: ads; other events web 55 %,
#              app 25 %, email 12 %, ads 8 % (overall web 43 %, app 31 %,
#              ads 16 %, email 9 %)
#   page       a path such as /product/123 by event, often with a query
#              string: utm_* and a click id on ads traffic, utm_* on email
#              traffic, ref/pos/variant on product views.  Empty on every
#              app_open and on 30 % of the other app events (~18 % of the
#              rows); ~1.3 % (search filters) hold a comma and are quoted.
#   size       ~97 bytes a row (1M rows = ~96.7 MB); no embedded newlines,
#              so physical lines = rows + 1.

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

# cum: index of the first cumulative weight above a uniform draw
function cum(w, n,    r, k) {
    r = rnd()
    for (k = 1; k < n && r >= w[k]; k++)
        ;
    return k
}

function csvfield(s) {
    if (s ~ /[",\r\n]/) {
        gsub(/"/, "\"\"", s)
        return "\"" s "\""
    }
    return s
}

function split_list(s, arr) {
    return split(s, arr, "|")
}

# product: catalogue id, popular items first (80/20-ish)
function product() {
    return 100 + int(40000 * rnd() * rnd() * rnd())
}

# utm: query string for tracked campaign traffic (camp "": any campaign)
function utm(chan, first, camp,    q, k) {
    if (camp == "")
        camp = pick(CAMP, NCAMP)
    if (chan == "ads") {
        k = irand(NADSRC) + 1
        q = "utm_source=" ADSRC[k] "&utm_medium=cpc&utm_campaign=" camp \
            sprintf("&%s=%s%09d%09d", CLICKID[k], CLICKPFX[k],
                    irand(1000000000), irand(1000000000))
    } else
        q = "utm_source=newsletter&utm_medium=email&utm_campaign=" camp \
            "&utm_content=" pick(CONTENT, NCONTENT) \
            sprintf("&mc_eid=%08x%02d", irand(2147483647), irand(100))
    return (first ? "?" : "&") q
}

function landing(    r) {
    r = rnd()
    if (r < 0.35)
        return "/"
    if (r < 0.60)
        return "/category/" pick(CAT, NCAT) ((rnd() < 0.5) ? "" : \
            "?sort=" pick(SORT, NSORT) "&page=" (1 + irand(4)))
    if (r < 0.75)
        return "/blog/" pick(BLOG, NBLOG)
    if (r < 0.85)
        return "/help/" pick(HELP, NHELP)
    if (r < 0.95)
        return "/product/" product()
    return "/search?q=" pick(QUERY, NQUERY) "&filters=" pick(FILTER, NFILTER)
}

function page(ev, chan,    p, c) {
    if (ev == "app_open")
        return ""
    if (chan == "app" && rnd() < 0.30)
        return ""
    if (ev == "ad_click") {
        if (rnd() < 0.6)
            p = "/product/" product() utm("ads", 1, "")
        else {
            c = pick(CAMP, NCAMP)
            p = "/lp/" c utm("ads", 1, c)
        }
    } else if (ev == "site_visit") {
        p = landing()
        if (chan == "ads" || chan == "email")
            p = p utm(chan, p !~ /\?/, "")
        else if (rnd() < 0.30)      # Google Analytics cross-domain linker
            p = p sprintf("%s_ga=2.%d.%d-%d.%d", (p ~ /\?/) ? "&" : "?",
                          10000000 + irand(90000000), 100000000 + irand(900000000),
                          1000000000 + irand(900000000), 1704067200 + irand(31622400))
    } else if (ev == "product_view") {
        p = "/product/" product()
        if (rnd() < 0.95) {
            c = pick(REF, NREF)
            p = p "?ref=" c "&pos=" (1 + irand(24))
            if (c == "search")
                p = p "&q=" pick(QUERY, NQUERY)
        }
        if (rnd() < 0.55)
            p = p ((p ~ /\?/) ? "&" : "?") "variant=" pick(VARIANT, NVARIANT)
        if (chan == "email")
            p = p utm(chan, p !~ /\?/, "")
    } else if (ev == "add_to_cart")
        p = "/cart/add?product=" product() "&qty=" (1 + irand(3) * irand(2)) \
            "&variant=" pick(VARIANT, NVARIANT) "&source=" pick(SOURCE, NSOURCE)
    else if (ev == "purchase")
        p = sprintf("/checkout/confirmation?order=ORD-2024-%07d&payment=%s",
                    irand(10000000), pick(PAY, NPAY))
    else if (ev == "signup")
        p = (rnd() < 0.7) ? "/account/signup?next=%2Fcheckout%2Fshipping&ref=" \
                            pick(REF, NREF) : "/account/signup"
    else                        # login
        p = (rnd() < 0.5) ? "/account/login?next=%2Faccount%2Forders%3Fstatus%3Dopen" \
                          : "/account/login?next=%2Fproduct%2F" product() "%3Fref%3Demail"
    return p
}

BEGIN {
    if (rows == "")
        rows = 1000000
    if (seed == "")
        seed = 20240501
    rows += 0
    _s = (seed % 2147483646) + 1

    NEV = split_list("product_view|site_visit|app_open|ad_click|login" \
        "|add_to_cart|purchase|signup", EV)
    split("0.30 0.58 0.70 0.80 0.89 0.96 0.985 1.0", EVW, " ")
    NCHAN = split_list("web|app|email|ads", CHAN)
    split("0.55 0.80 0.92 1.0", CHW, " ")
    # offsets of the ~10 % local-time stamps, in minutes east of UTC
    NOFF = split("120 60 -300 -240 330 540 -420 0 180 600", OFFMIN, " ")
    split("0.30 0.50 0.62 0.72 0.78 0.84 0.89 0.93 0.97 1.0", OFFW, " ")

    NCAT = split_list("shoes|womens/dresses|mens/jackets|kids|home/kitchen" \
        "|home/bedding|accessories/bags|sale|new-arrivals|sports/running", CAT)
    NBLOG = split_list("how-to-choose-running-shoes|spring-lookbook-2024" \
        "|care-guide-wool|sustainability-report|gift-ideas-under-50" \
        "|behind-the-seams", BLOG)
    NHELP = split_list("shipping|returns|size-guide|contact|payment-options" \
        "|track-order", HELP)
    NQUERY = split_list("red+shoes|rain+jacket|linen+shirt|backpack" \
        "|gift+card|running", QUERY)
    NFILTER = split_list("size:42,color:red|price:0-50,sort:asc" \
        "|brand:acme,size:M|color:blue,color:navy", FILTER)
    NCAMP = split_list("spring_sale_2024|summer_clearance|back_to_school" \
        "|black_friday|xmas_gifts|retargeting_q2|brand_search", CAMP)
    NADSRC = split_list("google|facebook|instagram|bing|tiktok", ADSRC)
    split_list("gclid|fbclid|fbclid|msclkid|ttclid", CLICKID)
    split_list("Cj0KCQjw|IwAR|IwAR|7f3a|E.C.P.", CLICKPFX)
    NCONTENT = split_list("hero_button|product_grid|footer_link|banner", CONTENT)
    NVARIANT = split_list("black-m|white-s|navy-l|red-42|blue-xl|grey-38", VARIANT)
    NSORT = split_list("popular|newest|price_asc|price_desc|rating", SORT)
    NREF = split_list("home_carousel|search|category|recommendations|email" \
        "|cart_upsell", REF)
    NSOURCE = split_list("product_page|quick_view|wishlist|recommendations", SOURCE)
    NPAY = split_list("card|paypal|klarna|apple_pay", PAY)

    # day index (0 = 2024-01-01) -> date, with one day either side of 2024
    # for the local-time stamps near new year
    split("31 29 31 30 31 30 31 31 30 31 30 31", mlen, " ")
    d = 0
    for (m = 1; m <= 12; m++)
        for (dd = 1; dd <= mlen[m]; dd++) {
            DATE[d] = sprintf("2024-%02d-%02dT", m, dd)
            d++
        }
    DATE[-1] = "2023-12-31T"
    DATE[366] = "2025-01-01T"
    YEAR = 366 * 86400

    print "user_id,event,timestamp,channel,page"

    for (i = 0; i < rows; i++) {
        # skewed activity: 35 % of the events come from 2,500 heavy users;
        # the permutation spreads them over the ids
        u = (rnd() < 0.35) ? irand(2500) : irand(50000)
        user = sprintf("U%07d", 10000 + (u * 7919 + 12345) % 50000)

        ev = EV[cum(EVW, NEV)]
        if (ev == "app_open")
            chan = "app"
        else if (ev == "ad_click")
            chan = "ads"
        else
            chan = CHAN[cum(CHW, NCHAN)]

        t = int((i + rnd()) * YEAR / rows)      # nondecreasing over 2024
        frac = (rnd() < 0.05) ? sprintf(".%03d", irand(1000)) : ""
        if (rnd() < 0.10) {
            off = OFFMIN[cum(OFFW, NOFF)]
            t += off * 60
            a = (off < 0) ? -off : off
            zone = sprintf("%s%02d:%02d", (off < 0) ? "-" : "+",
                           int(a / 60), a % 60)
        } else
            zone = "Z"
        day = int((t + 86400) / 86400) - 1      # floor, t may be < 0
        sod = t - day * 86400
        ts = sprintf("%s%02d:%02d:%02d%s%s", DATE[day], int(sod / 3600),
                     int(sod / 60) % 60, sod % 60, frac, zone)

        printf "%s,%s,%s,%s,%s\n", user, ev, ts, chan, csvfield(page(ev, chan))
    }
    exit 0
}
