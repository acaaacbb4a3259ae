#!/usr/bin/env bash
# Build nonstop and run every test suite:
#   unit + pcap + app + netns (build/), unit + pcap + app under ASan/UBSan (build-asan/),
#   each libFuzzer target briefly (build-fuzz/, clang).
# Environment: FUZZ_SECONDS (default 20 per target), SKIP_ASAN=1, SKIP_FUZZ=1.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"

"$top/scripts/deps.sh" || exit 1

passed=0 failed=0 skipped=0
results=()

# meson's summary lines "Ok: N", "Fail: N", "Skipped: N" feed the totals.
tally() { # name logfile rc
	local ok fail skip to
	ok=$(awk '/^Ok:/{print $2}' "$2" | tail -1)
	fail=$(awk '/^Fail:/{print $2}' "$2" | tail -1)
	skip=$(awk '/^Skipped:/{print $2}' "$2" | tail -1)
	to=$(awk '/^Timeout:/{print $2}' "$2" | tail -1)
	ok=${ok:-0} fail=${fail:-0} skip=${skip:-0} to=${to:-0}
	fail=$((fail + to))
	if [ "$3" != 0 ] && [ "$fail" = 0 ]; then fail=1; fi
	passed=$((passed + ok)) failed=$((failed + fail)) skipped=$((skipped + skip))
	results+=("$1: $ok ok, $fail failed, $skip skipped")
}

step() { echo; echo "=== $*"; }

build() { # dir [meson options...]
	local dir=$1
	shift
	if [ ! -f "$dir/build.ninja" ]; then
		meson setup "$dir" "$@" >"$dir.setup.log" 2>&1 || { cat "$dir.setup.log"; return 1; }
	fi
	ninja -C "$dir"
}

step "build (gcc, -Wall -Wextra -Werror)"
if ! build build; then
	echo "build failed"
	echo "0 passed, 1 failed"
	exit 1
fi

step "tests: unit, pcap, app, netns"
log=$(mktemp)
meson test -C build --suite unit --suite pcap --suite app --suite netns --print-errorlogs 2>&1 | tee "$log"
tally "gcc build" "$log" "${PIPESTATUS[0]}"

if [ "${SKIP_ASAN:-0}" != 1 ]; then
	step "ASan/UBSan build: unit, pcap and app suites"
	export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
	export UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1
	# The HA property test's 10 000 schedules run in the gcc build; a tenth here.
	export NS_HA_SIM_SCHEDULES=1000
	if build build-asan -Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false; then
		meson test -C build-asan --suite unit --suite pcap --suite app --print-errorlogs 2>&1 | tee "$log"
		tally "asan/ubsan" "$log" "${PIPESTATUS[0]}"
	else
		failed=$((failed + 1)) results+=("asan/ubsan: build failed")
	fi
	unset ASAN_OPTIONS UBSAN_OPTIONS NS_HA_SIM_SCHEDULES
fi

if [ "${SKIP_FUZZ:-0}" != 1 ]; then
	step "libFuzzer targets (${FUZZ_SECONDS:-20} s each)"
	if CC=clang build build-fuzz -Dfuzz=true -Db_sanitize=address,undefined -Db_lundef=false -Db_lto=false; then
		for t in build-fuzz/tests/fuzz_*; do
			[ -f "$t" ] && [ -x "$t" ] || continue
			n=$(basename "$t")
			corpus=tests/fuzz/corpus/${n#fuzz_}
			work=$(mktemp -d)
			cp -r "$corpus"/. "$work"/
			# Crash, timeout and slow-unit inputs land in build-fuzz/artifacts/, never in the tree.
			mkdir -p "build-fuzz/artifacts/$n"
			if "$t" -max_total_time="${FUZZ_SECONDS:-20}" -max_len=9216 -print_final_stats=1 -timeout=10 \
				-artifact_prefix="build-fuzz/artifacts/$n/" \
				"$work" >"build-fuzz/$n.log" 2>&1; then
				passed=$((passed + 1)) results+=("$n: ran $(grep -o 'stat::number_of_executed_units: *[0-9]*' "build-fuzz/$n.log" | awk '{print $2}') inputs, no crash")
			else
				failed=$((failed + 1)) results+=("$n: CRASH, see build-fuzz/$n.log")
				tail -40 "build-fuzz/$n.log"
			fi
			rm -rf "$work"
		done
	else
		failed=$((failed + 1)) results+=("fuzz: build failed")
	fi
fi
rm -f "$log"

step "summary"
printf '  %s\n' "${results[@]}"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" = 0 ]
