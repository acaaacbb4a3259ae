#!/usr/bin/python3
"""ARP responder and RFC 826 merge: answered requests, ignored non-targets."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from pcapgen import (ARP, BCAST, OUR_IP, OUR_MAC, PEER_IP, PEER_MAC, Ether,  # noqa: E402
                     Trace, arp_request, echo, out_path)

t = Trace()
t.add(arp_request())                                            # answered
t.add(arp_request(sip="192.0.2.7", smac="02:00:00:00:00:07"))   # second host, answered
t.add(arp_request(tip="192.0.2.99"))                            # not for us: no answer
t.add(Ether(src=PEER_MAC, dst=OUR_MAC) /                        # unsolicited reply to us
      ARP(op=2, hwsrc=PEER_MAC, psrc=PEER_IP, hwdst=OUR_MAC, pdst=OUR_IP))
t.add(Ether(src="02:00:00:00:00:09", dst=BCAST) /               # gratuitous, unknown host
      ARP(op=1, hwsrc="02:00:00:00:00:09", psrc="192.0.2.9", pdst="192.0.2.9"))
t.add(arp_request(sip="0.0.0.0"))                               # RFC 5227 probe: answered
t.add(echo(1))                                                  # still answering pings
t.write(out_path())
