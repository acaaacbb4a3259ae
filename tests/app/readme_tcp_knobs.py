#!/usr/bin/env python3
"""README's [tcp] table and its 'set tcp' line against NS_TCP_KNOBS (app/config.h):
the same keys, the same kinds and ranges, the same run-time knobs.
usage: readme_tcp_knobs.py SOURCE_DIR"""
import re
import sys

top = sys.argv[1]
hdr = open(top + "/app/config.h").read()
body = hdr[hdr.index("#define NS_TCP_KNOBS(X)"):]
body = body[:body.index("\n\n")]
knobs = re.findall(r"X\((\w+), (\w+), (U32|POW2|BOOL), ([^,]+), ([^,]+), (RT|NO), (CORE|APP)\)", body)
if not knobs:
    sys.exit("no NS_TCP_KNOBS entries found in app/config.h")


def num(e):
    e = e.strip()
    m = re.fullmatch(r"1u? << (\d+)", e)
    return "2^" + m.group(1) if m else e


want = {}
for key, _field, kind, lo, hi, _set, _where in knobs:
    if kind == "BOOL":
        want[key] = "boolean"
    elif kind == "POW2":
        want[key] = "power of two, %s .. %s" % (num(lo), num(hi))
    else:
        want[key] = "%s .. %s" % (num(lo), num(hi))

readme = open(top + "/README.md").read().split("\n")
start = next(i for i, l in enumerate(readme) if l.startswith("`[tcp]`"))
rows, seen_table = [], False
for l in readme[start + 1:]:
    if l.startswith("|"):
        seen_table = True
        rows.append(l)
    elif seen_table:
        break
have = {}
for r in rows[2:]:  # the header and its rule
    cells = [c.strip() for c in r.strip("|").split("|")]
    for key in re.findall(r"`(\w+)`", cells[0]):
        have[key] = cells[2]

errors = []
for key in want:
    if key not in have:
        errors.append("README lacks [tcp] %s" % key)
    elif have[key] != want[key]:
        errors.append("[tcp] %s: README says '%s', the table '%s'" % (key, have[key], want[key]))
for key in have:
    if key not in want:
        errors.append("README documents [tcp] %s, which the table does not have" % key)

line = next((l for l in readme if l.startswith("| `set tcp KNOB VALUE`")), None)
rt = {k[0] for k in knobs if k[5] == "RT"}
if line is None:
    errors.append("README lacks the 'set tcp KNOB VALUE' row")
else:
    listed = set(re.findall(r"`(\w+)`", line.split("|")[2]))
    if listed != rt:
        errors.append("'set tcp' knobs: README %s, the table %s" % (sorted(listed), sorted(rt)))

for e in errors:
    print("FAIL:", e)
if errors:
    sys.exit(1)
print("ok: %d [tcp] knobs, %d settable at run time, README agrees" % (len(want), len(rt)))
