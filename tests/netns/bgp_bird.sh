#!/usr/bin/env bash
# bgp_nsr.sh against BIRD 2.
BGP_PEER=bird exec "$(dirname "$0")/bgp_nsr.sh" "$@"
