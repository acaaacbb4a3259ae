#!/usr/bin/env bash
# bgp_nsr.sh against gobgp.
BGP_PEER=gobgp exec "$(dirname "$0")/bgp_nsr.sh" "$@"
