#!/usr/bin/env bash
# bgp_nsr.sh against frr, iBGP.
BGP_PEER=frr BGP_IBGP=1 exec "$(dirname "$0")/bgp_nsr.sh" "$@"
