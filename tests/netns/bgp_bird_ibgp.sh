#!/usr/bin/env bash
# bgp_nsr.sh against bird, iBGP.
BGP_PEER=bird BGP_IBGP=1 exec "$(dirname "$0")/bgp_nsr.sh" "$@"
