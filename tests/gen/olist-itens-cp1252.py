#!/usr/bin/env python3
"""Writes tests/fixtures/real/olist-itens-cp1252.csv: the first 600 real Olist
order items (../shared/data/real/olist-sample-4000-orders) with their seller's
city and state (../shared/data/real/olist-official-dims), as a Brazilian
spreadsheet saves them: windows-1252, ';' between fields, decimal commas,
Portuguese column names, CRLF. No Latin-1 ';' export is among the real data
sets, so this one is made in that shape from real rows (issue 16, item 4).

    python3 tests/gen/olist-itens-cp1252.py ../shared/data/real > tests/fixtures/real/olist-itens-cp1252.csv
"""
import csv
import io
import sys

real = sys.argv[1] if len(sys.argv) > 1 else "../shared/data/real"
with open(real + "/olist-official-dims/olist_sellers_dataset.csv", encoding="utf-8", newline="") as f:
    sellers = {r["seller_id"]: r for r in csv.DictReader(f)}
stdout = io.TextIOWrapper(sys.stdout.buffer, encoding="cp1252", newline="")
out = csv.writer(stdout, delimiter=";", lineterminator="\r\n")
out.writerow(["pedido", "item", "cidade do vendedor", "UF", "preço", "frete"])
with open(real + "/olist-sample-4000-orders/olist_order_items_dataset.csv", encoding="utf-8", newline="") as f:
    for i, r in enumerate(csv.DictReader(f)):
        if i == 600:
            break
        s = sellers[r["seller_id"]]
        out.writerow([r["order_id"], r["order_item_id"], s["seller_city"], s["seller_state"],
                      r["price"].replace(".", ","), r["freight_value"].replace(".", ",")])
stdout.flush()
