#!/usr/bin/python3
"""A Linux host for tests/netns/igmp_querier.sh: joins 239.5.5.5 (any
source) and 232.1.1.1 from 198.51.100.9 (source-specific) on ADDR, holds
both HOLD_S seconds, leaves 239.5.5.5, holds 232.1.1.1 LAST_S seconds more,
then leaves it.  The kernel sends the reports and answers the queries."""
import socket

import sys
import time

addr, hold, last = sys.argv[1], float(sys.argv[2]), float(sys.argv[3])
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
asm = socket.inet_aton("239.5.5.5") + socket.inet_aton(addr)
s.setsockopt(socket.IPPROTO_IP, socket.IP_ADD_MEMBERSHIP, asm)
# struct ip_mreq_source: multiaddr, interface, sourceaddr (Linux order)
ssm = socket.inet_aton("232.1.1.1") + socket.inet_aton(addr) + socket.inet_aton("198.51.100.9")
IP_ADD_SOURCE_MEMBERSHIP, IP_DROP_SOURCE_MEMBERSHIP = 39, 40
s.setsockopt(socket.IPPROTO_IP, IP_ADD_SOURCE_MEMBERSHIP, ssm)
print("joined", flush=True)
time.sleep(hold)
s.setsockopt(socket.IPPROTO_IP, socket.IP_DROP_MEMBERSHIP, asm)
print("left 239.5.5.5", flush=True)
time.sleep(last)
s.setsockopt(socket.IPPROTO_IP, IP_DROP_SOURCE_MEMBERSHIP, ssm)
print("left 232.1.1.1", flush=True)
time.sleep(0.2)

