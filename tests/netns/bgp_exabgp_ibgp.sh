#!/usr/bin/env bash
# bgp_nsr.sh against exabgp, iBGP.
BGP_PEER=exabgp BGP_IBGP=1 exec "$(dirname "$0")/bgp_nsr.sh" "$@"
