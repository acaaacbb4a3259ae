#!/usr/bin/env bash
# bgp_nsr.sh against exabgp.
BGP_PEER=exabgp exec "$(dirname "$0")/bgp_nsr.sh" "$@"
