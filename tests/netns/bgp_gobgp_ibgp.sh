#!/usr/bin/env bash
# bgp_nsr.sh against gobgp, iBGP.
BGP_PEER=gobgp BGP_IBGP=1 exec "$(dirname "$0")/bgp_nsr.sh" "$@"
