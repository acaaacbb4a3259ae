#!/usr/bin/python3
"""A connection collision (RFC 4271 6.8) against nonstop, for bgp_collision.sh.

Listens on LISTEN:179 for nonstop's own connection ('connect'), answers its
OPEN with one of ROUTER_ID (nonstop's connection is then in OpenConfirm and
knows the Identifier), then opens a second connection to NONSTOP:179 with
an OPEN of the same Identifier.  The connection the speaker with the higher
Identifier opened must stay, the other one get a Cease (6/7) and close.
The one left is taken to Established with a KEEPALIVE.  With MODE
"theirs-first" or "ours-first", nonstop's OPEN is not answered before the
second connection opens: both wait in OpenSent, and the first OPEN (on the
connection MODE names) decides.  Prints one JSON line: what each connection received ("ours": nonstop's, "theirs": the one
this script opened) and which was left.
"""
import json
import os
import socket
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import bgp_speaker as bs  # noqa: E402


def main():
    nonstop, listen, rid = sys.argv[1:4]
    mode = sys.argv[4] if len(sys.argv) > 4 else "known"
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((listen, 179))
    ls.listen(4)
    ls.settimeout(30)
    out = {}
    try:
        s, _ = ls.accept()
    except socket.timeout:
        print(json.dumps({"error": "nonstop did not connect"}), flush=True)
        return
    ours = bs.Speaker(nonstop, rid, listen)
    ours.sock, ours.buf, ours.got_open = s, b"", False
    ours.read(5, lambda: ours.got_open)
    out["ours_open"] = ours.got_open
    if mode != "known":
        opensent(ours, nonstop, rid, listen, mode, out)
        return
    ka = ours.rep["keepalives"]
    ours.send(bs.open_msg(rid))
    ours.read(5, lambda: ours.rep["keepalives"] > ka)
    out["ours_openconfirm"] = ours.rep["keepalives"] > ka
    theirs = bs.Speaker(nonstop, rid, listen)
    theirs.open_conn()
    theirs.send(bs.open_msg(rid))
    theirs.read(3, lambda: theirs.rep["closed"] or (theirs.got_open and theirs.rep["keepalives"] > 0))
    ours.read(1)
    left = None
    if ours.sock is not None and not ours.rep["closed"]:
        left = "ours"
        ours.send(bs.KEEPALIVE)
        ours.read(1)
    if theirs.sock is not None and not theirs.rep["closed"]:
        left = "theirs" if left is None else "both"
        theirs.send(bs.KEEPALIVE)
        theirs.read(1)
    out.update({"left": left, "ours": ours.rep, "theirs": theirs.rep,
                "theirs_got_open": theirs.got_open})
    print(json.dumps(out), flush=True)
    # Hold the connection left while the script checks nonstop's state.
    for sp in (ours, theirs):
        sp.read(4)


def opensent(ours, nonstop, rid, listen, mode, out):
    """Both connections in OpenSent, neither OPEN answered: nonstop cannot
    know the Identifier until the first OPEN, on the connection mode names
    ("theirs-first" or "ours-first"), decides.  The one left then gets its
    OPEN (if it had none yet) and a KEEPALIVE."""
    theirs = bs.Speaker(nonstop, rid, listen)
    theirs.open_conn()
    theirs.read(3, lambda: theirs.got_open or theirs.rep["closed"])
    ours.read(0.5)
    out["both_opensent"] = (ours.got_open and theirs.got_open and not ours.rep["closed"]
                            and not theirs.rep["closed"])
    first, second = (theirs, ours) if mode == "theirs-first" else (ours, theirs)
    first.send(bs.open_msg(rid))
    first.read(2, lambda: first.rep["closed"] or first.rep["keepalives"] > 0)
    second.read(2, lambda: second.rep["closed"])
    left = None
    for name, sp in (("ours", ours), ("theirs", theirs)):
        if sp.sock is None or sp.rep["closed"]:
            continue
        left = name if left is None else "both"
        if sp is second:
            sp.send(bs.open_msg(rid))
            sp.read(2, lambda: sp.rep["closed"] or sp.rep["keepalives"] > 0)
        sp.send(bs.KEEPALIVE)
        sp.read(1)
    out["ours_openconfirm"] = True  # not asked in this mode
    out.update({"left": left, "ours": ours.rep, "theirs": theirs.rep,
                "theirs_got_open": theirs.got_open})
    print(json.dumps(out), flush=True)
    for sp in (ours, theirs):
        sp.read(4)


if __name__ == "__main__":
    main()
