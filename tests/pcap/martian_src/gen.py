#!/usr/bin/python3
"""Echo requests from martian sources (RFC 1812 5.3.7, Linux's martian
sources): our own address (land), the subnet's network and broadcast
addresses, 0/8, 127/8, multicast, the limited broadcast.  None is answered,
each has its counter; the valid request after each one is answered.  An
ARP request from the network address teaches and answers nothing."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import OUR_IP, Trace, arp_request, echo, out_path  # noqa: E402

t = Trace()
t.add(arp_request())
t.add(echo(0))
martians = [OUR_IP, "192.0.2.0", "192.0.2.255", "0.0.0.0", "0.1.2.3", "127.0.0.1",
            "224.0.0.1", "239.255.255.250", "255.255.255.255"]
for i, src in enumerate(martians, start=1):
    t.add(echo(900 + i, src=src))
    t.add(echo(i))
t.add(arp_request(sip="192.0.2.0", smac="02:00:00:00:00:66"))
t.add(echo(len(martians) + 1))
t.write(out_path())
