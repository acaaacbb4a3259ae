#!/usr/bin/env python3
"""README's tables against the tables of app/config.h they document:
[global] (NS_GLOBAL_KNOBS and NS_GLOBAL_OTHER_KEYS: keys, ranges, defaults),
[port.NAME] (NS_PORT_KNOBS and NS_PORT_OTHER_KEYS: the same),
[tcp] and its 'set tcp' line (NS_TCP_KNOBS: keys, kinds and ranges, the
run-time knobs), [bfd.NAME] and its 'bfd session add' line (NS_BFD_KEYS:
keys, ranges, defaults, the console's words), [repl] (NS_REPL_KNOBS and
NS_REPL_OTHER_KEYS: keys, ranges, defaults), [overlay.NAME] (NS_OVL_KEYS:
keys, the required ones, ranges and defaults of the numbers, the bounds of
lists and keys), [lcores] (NS_LCORE_KEYS: keys, the bounds of lists) and
[listener.NAME] and [client.NAME] (NS_LISTENER_KEYS, NS_CLIENT_KEYS: keys,
the required ones, ranges and defaults of the numbers, the default
application).
usage: readme_knobs.py SOURCE_DIR"""
import re
import sys

top = sys.argv[1]
hdr = open(top + "/app/config.h").read()
readme = open(top + "/README.md").read().split("\n")
errors = []


def macro(name):
    """The body of '#define name(X)' up to the blank line after it."""
    body = hdr[hdr.index("#define %s(X)" % name):]
    return body[:body.index("\n\n")]


def entries(name, pattern):
    """The X(...) entries of macro name, each as the groups of pattern."""
    found = re.findall(pattern, macro(name))
    if not found:
        sys.exit("no %s entries found in app/config.h" % name)
    return found


def num(e):
    e = e.strip()
    m = re.fullmatch(r"1(?:u|ull)? << (\d+)", e)
    if m:
        return "2^" + m.group(1)
    if e == "UINT32_MAX - 1":
        return "2^32-2"
    if e == "UINT32_MAX":
        return "2^32-1"
    m = re.search(r"#define %s\s+(\d+)" % re.escape(e), hdr)
    return m.group(1) if m else e


def rng(kind, lo, hi):
    if kind == "BOOL":
        return "boolean"
    if kind == "POW2":
        return "power of two, %s .. %s" % (num(lo), num(hi))
    return "%s .. %s" % (num(lo), num(hi))


def table(heading):
    """key -> (default, range) of the first table after the paragraph that starts with heading."""
    start = next((i for i, l in enumerate(readme) if l.startswith(heading)), None)
    if start is None:
        errors.append("README has no paragraph starting with %s" % heading)
        return {}
    rows, seen = [], False
    for l in readme[start + 1:]:
        if l.startswith("|"):
            seen = True
            rows.append(l)
        elif seen:
            break
    have = {}
    for r in rows[2:]:  # the header and its rule
        cells = [c.strip() for c in r.strip("|").split("|")]
        for key in re.findall(r"`(\w+)`", cells[0]):
            have[key] = (cells[1], cells[2])
    return have


def same_keys(section, want, have):
    for key in want:
        if key not in have:
            errors.append("README lacks %s %s" % (section, key))
    for key in have:
        if key not in want:
            errors.append("README documents %s %s, which the table does not have" % (section, key))


def check_range(section, key, want, have):
    """The range cell is the range, or the range and more after ', ' or ' ('."""
    if have != want and not have.startswith(want + ", ") and not have.startswith(want + " ("):
        errors.append("%s %s: README's range '%s', the table's '%s'" % (section, key, have, want))


def check_default(section, key, kind, dflt, have):
    have = have.strip("`")
    if kind == "BOOL":
        ok = have in (("yes", "true", "on") if dflt in ("1", "true") else ("no", "false", "off"))
    else:
        ok = have == num(dflt) or have.startswith(num(dflt) + " (")
    if not ok:
        errors.append("%s %s: README's default '%s', the table's '%s'" % (section, key, have, dflt))


def knob_table(section, knobs, other_macro):
    """README's table of section against knobs, each (key, kind, min, max, default), and the keys
    of other_macro (hand-parsed: only listed); returns those keys."""
    m = re.search(r"#define %s (.*)" % other_macro, hdr)
    other = re.findall(r'"(\w+)"', m.group(1)) if m else []
    have = table("`%s`" % section)
    same_keys(section, [k[0] for k in knobs] + other, have)
    for key, kind, lo, hi, dflt in knobs:
        if key in have:
            check_range(section, key, rng(kind, lo, hi), have[key][1])
            check_default(section, key, kind, dflt, have[key][0])
    return other


# [global]
glob = entries("NS_GLOBAL_KNOBS", r"X\((\w+), (\w+), ([^,]+), ([^,]+), ([^)]+)\)")
glob_other = knob_table("[global]", [(k, "U32", lo, hi, d) for k, _t, lo, hi, d in glob], "NS_GLOBAL_OTHER_KEYS")

# [port.NAME]
port = entries("NS_PORT_KNOBS", r"X\((\w+), (\w+), (\w+), ([^,]+), ([^,]+), ([^)]+)\)")
port_other = knob_table("[port.NAME]", [(k, "BOOL" if t == "bool" else "U32", lo, hi, d)
                                        for k, _f, t, lo, hi, d in port], "NS_PORT_OTHER_KEYS")

# [tcp]
knobs = entries("NS_TCP_KNOBS", r"X\((\w+), (\w+), (U32|POW2|BOOL), ([^,]+), ([^,]+), (RT|NO), (CORE|APP)\)")
have = table("`[tcp]`")
same_keys("[tcp]", [k[0] for k in knobs], have)
for key, _field, kind, lo, hi, _set, _where in knobs:
    if key in have and have[key][1] != rng(kind, lo, hi):
        errors.append("[tcp] %s: README says '%s', the table '%s'" % (key, have[key][1], rng(kind, lo, hi)))
line = next((l for l in readme if l.startswith("| `set tcp KNOB VALUE`")), None)
rt = {k[0] for k in knobs if k[5] == "RT"}
if line is None:
    errors.append("README lacks the 'set tcp KNOB VALUE' row")
else:
    listed = set(re.findall(r"`(\w+)`", line.split("|")[2]))
    if listed != rt:
        errors.append("'set tcp' knobs: README %s, the table %s" % (sorted(listed), sorted(rt)))

# [bfd.NAME]
bfd = entries("NS_BFD_KEYS", r'X\((\w+), (NULL|"[\w-]+"), (ADDR|U32|BOOL|TEXT), ([^,]+), ([^,]+), ([^)]+)\)')
have = table("`[bfd.NAME]`")
same_keys("[bfd.NAME]", [k[0] for k in bfd], have)
for key, _word, kind, lo, hi, dflt in bfd:
    if key not in have or kind in ("ADDR", "TEXT"):
        continue
    check_range("[bfd.NAME]", key, rng(kind, lo, hi), have[key][1])
    check_default("[bfd.NAME]", key, kind, dflt, have[key][0])
line = next((l for l in readme if l.startswith("| `bfd session add NAME")), None)
words = {w.strip('"') for _k, w, *_ in bfd if w != "NULL"}
if line is None:
    errors.append("README lacks the 'bfd session add' row")
else:
    listed = set(re.findall(r"(?<![\w.-])([a-z][a-z-]*)(?![\w.-])", line.split("`")[1])) - {"bfd", "session", "add"}
    if listed != words:
        errors.append("'bfd session add' words: README %s, the table %s" % (sorted(listed), sorted(words)))

# [repl]
repl = entries("NS_REPL_KNOBS", r"X\((\w+), (U32|POW2|BOOL), ([^,]+), ([^,]+), ([^)]+)\)")
other = knob_table("[repl]", repl, "NS_REPL_OTHER_KEYS")

# [overlay.NAME]
ovl = entries("NS_OVL_KEYS", r'X\((\w+), (\w+), (\w+), (ANY|ENCAP|DECAP), ([^,]+), ([^,]+), ([^,]+),[\s\\]*(NULL|"[^"]*")\)')
have = table("`[overlay.NAME]`")
same_keys("[overlay.NAME]", [k[0] for k in ovl], have)
for key, _field, kind, role, lo, hi, dflt, need in ovl:
    if key not in have:
        continue
    if need != "NULL":
        want = "required" if role == "ANY" else role.lower() + ": required"
        if have[key][0] != want:
            errors.append("[overlay.NAME] %s: README's default '%s', the table's '%s'" % (key, have[key][0], want))
    elif kind in ("U8", "U16", "U32", "BOOL"):
        check_default("[overlay.NAME]", key, kind, dflt, have[key][0])
    if kind in ("U8", "U16", "U32", "BOOL"):
        check_range("[overlay.NAME]", key, rng("BOOL" if kind == "BOOL" else "U32", lo, hi), have[key][1])
    elif kind == "ADDRS" and not have[key][1].startswith("up to %s addresses" % num(hi)):
        errors.append("[overlay.NAME] %s: README's range '%s', the table's up to %s addresses" % (key, have[key][1], num(hi)))
    elif kind == "KEY" and "%s-%s bytes" % (num(lo), num(hi)) not in have[key][1]:
        errors.append("[overlay.NAME] %s: README's range '%s', the table's %s-%s bytes" % (key, have[key][1], num(lo), num(hi)))

# [lcores]: a list's bound in its meaning ("at most N")
lcores = entries("NS_LCORE_KEYS", r"X\((\w+), (\w+), (LIST|ONE), ([^)]+)\)")
have = table("`[lcores]`")
same_keys("[lcores]", [k[0] for k in lcores], have)
for key, _field, kind, hi in lcores:
    if key in have and kind == "LIST" and "at most %s" % num(hi) not in have[key][1]:
        errors.append("[lcores] %s: README's meaning lacks 'at most %s'" % (key, num(hi)))

# [listener.NAME] and [client.NAME]: an application's default by its name (NS_APP_ECHO_CHECK: echo-check)
tcpapp = {}
# (the paragraph of each starts with its bound: "`[client.NAME]` (at most 8):")
for section, name, bound in (("[listener.NAME]", "NS_LISTENER_KEYS", "NS_MAX_LISTENERS"),
                             ("[client.NAME]", "NS_CLIENT_KEYS", "NS_MAX_CLIENTS")):
    keys = entries(name, r'X\((\w+), (\w+), (\w+), ([^,]+), ([^,]+), ([^,]+),[\s\\]*(NULL|"[^"]*")\)')
    tcpapp[section] = len(keys)
    have = table("`%s` (at most %s):" % (section, num(bound)))
    same_keys(section, [k[0] for k in keys], have)
    for key, _field, kind, lo, hi, dflt, need in keys:
        if key not in have:
            continue
        if need != "NULL":
            if have[key][0] != "required":
                errors.append("%s %s: README's default '%s', the table's 'required'" % (section, key, have[key][0]))
        elif kind in ("U16", "U32", "U64"):
            check_default(section, key, kind, dflt, have[key][0])
        elif kind == "APP":
            want = "`%s`" % dflt.replace("NS_APP_", "").lower().replace("_", "-")
            if have[key][0] != want:
                errors.append("%s %s: README's default '%s', the table's %s" % (section, key, have[key][0], want))
        if kind in ("U16", "U32", "U64"):
            check_range(section, key, rng("U32", lo, hi), have[key][1])

for e in errors:
    print("FAIL:", e)
if errors:
    sys.exit(1)
print("ok: %d [global] knobs and %d other keys, %d [port.NAME] knobs and %d other keys, %d [tcp] knobs (%d settable at run time), "
      "%d [bfd.NAME] keys (%d console words), %d [repl] knobs and %d other keys, %d [overlay.NAME] keys, "
      "%d [lcores] keys, %d [listener.NAME] and %d [client.NAME] keys: README agrees"
      % (len(glob), len(glob_other), len(port), len(port_other), len(knobs), len(rt), len(bfd), len(words), len(repl), len(other),
         len(ovl), len(lcores), tcpapp["[listener.NAME]"], tcpapp["[client.NAME]"]))
