# shellcheck shell=sh
# "kselftest" suite: the kernel's own NIC driver selftests
# (tools/testing/selftests/drivers/net/*.py of the 7.3 tree) against the driver
# under test, in their hardware mode: NIC 0 is the device under test
# (NETIF, 10.0.0.1 and fd00:16::1), NIC 1 the endpoint in namespace "peer"
# (REMOTE_TYPE=netns, 10.0.0.2 and fd00:16::2). Needs the Python and kselftest
# overlays (scripts/guest-run.sh adds both when TESTS has this suite): the test
# tree under /ksrc, and /opt/ksft/bin (bash, socat, iputils ping, ethtool 7.2,
# the bpftrace stand-in tests/kselftest/bpftrace), which only this suite puts
# first on $PATH. Sourced by /init after lib.sh.
#
# Each kselftest case becomes one case of ours, kselftest.<file>.<case>: pass,
# fail (with the test's own diagnostics: failed checks, tracebacks), skip (with
# its reason), an XFAIL (an expected failure: the test could not provoke what
# it checks) as a skip "XFAIL: reason", with its diagnostics. A test file whose run is
# broken (no TAP output, e.g. a traceback before its first case; killed by the
# timeout; an exit status its results do not explain; fewer results than its
# plan) adds a failing case kselftest.<file> with its output's tail.
#
# Knobs (kernel parameters, KERNEL_ARGS of guest-run.sh):
#   rigb.kselftest=f1,f2      the test files to run (default below)
#   rigb.kselftest_timeout=S  seconds per file (default 600; then SIGTERM,
#                             which still runs the test's cleanups, SIGKILL 30 s later)
#   rigb.cases=...            kselftest.<file>.<case> (or <file>.<case>) entries
#                             run just those cases of that file (its -t option);
#                             a file none names is reported skipped
KSFT_DIR=/ksrc/tools/testing/selftests/drivers/net
KSFT_FILES=$(karg rigb.kselftest | tr , ' ')
: "${KSFT_FILES:=queues stats napi_id napi_threaded ping ring_reconfig netpoll_basic}"
KSFT_TIMEOUT=$(karg rigb.kselftest_timeout)
: "${KSFT_TIMEOUT:=600}"

t_ksft_up() {
	[ -d "$KSFT_DIR" ] && [ -x /opt/ksft/bin/ethtool ] || fail "no kselftest overlay in the initramfs"
	command -v python3 >/dev/null || fail "no python3 in the initramfs (PYTHON=1)"
	pair_up || fail "$PAIR_ERR"
	l=$(nic_name 0) p=$(peer_if)
	# The tests take the interface down and up (stats.procfs_downup_hammer
	# hundreds of times); IPv6 addresses are flushed on down unless kept.
	sysctl -qw "net.ipv6.conf.$l.keep_addr_on_down=1" &&
		in_peer sysctl -qw "net.ipv6.conf.$p.keep_addr_on_down=1" || fail "keep_addr_on_down"
	ip -6 addr add fd00:16::1/64 dev "$l" nodad || fail "local IPv6 address"
	in_peer ip -6 addr add fd00:16::2/64 dev "$p" nodad || fail "peer IPv6 address"
	# netpoll_basic configures netconsole through configfs.
	[ -d /sys/kernel/config ] && ! grep -q ' /sys/kernel/config ' /proc/mounts &&
		{ mount -t configfs configfs /sys/kernel/config || fail "mount configfs"; }
	wait_for 10 /opt/ksft/bin/ping -c 1 -W 1 10.0.0.2 >/dev/null || fail "no IPv4 connectivity to the peer"
	wait_for 10 /opt/ksft/bin/ping -c 1 -W 1 fd00:16::2 >/dev/null || fail "no IPv6 connectivity to the peer"
	# The bpftrace stand-in counts calls: its own `sleep 1` (after it enabled
	# its kprobe) calls hrtimer_nanosleep at least once.
	/opt/ksft/bin/bpftrace -f json -q \
		-e 'kprobe:hrtimer_nanosleep { @hits = count(); } interval:s:1 { exit(); }' >"$STATE/ksft.bt" 2>&1 ||
		{ diag_klog <"$STATE/ksft.bt"; fail "the bpftrace stand-in failed"; }
	hits=$(sed -n 's/^{"type": "map", "data": {"@hits": \([0-9]*\)}}$/\1/p' "$STATE/ksft.bt")
	[ "${hits:-0}" -ge 1 ] || { diag_klog <"$STATE/ksft.bt"; fail "the bpftrace stand-in counted no call of hrtimer_nanosleep"; }
	diag "NETIF=$l REMOTE peer:$p; $(/opt/ksft/bin/ethtool --version);" \
		"bpftrace stand-in: $hits calls of hrtimer_nanosleep in its 1 s"
}

t_ksft_down() {
	peer_teardown || fail "NIC 1 did not come back from the peer namespace"
}

# ksft_result STATUS NAME [REASON]: one case of ours, as run_case records it.
ksft_result() {
	_n=$(( $(wc -l <"$STATE/results") + 1 ))
	case $1 in
	pass) _res="ok $_n $SUITE.$2" ;;
	skip) _res="ok $_n $SUITE.$2 # SKIP $3" ;;
	*) _res="not ok $_n $SUITE.$2" ;;
	esac
	echo "$_res" >>"$STATE/results"
	ktap "$_res"
}

# ksft_always NAME FUNCTION: run_case, but also when rigb.cases does not name
# it (the pair must come up, and go down, for the kselftest cases it names).
ksft_always() {
	klog_mark "case $SUITE.$1"
	rm -f "$STATE/skip"
	_t0=$(now_cs)
	("$2")
	_rc=$?
	diag "$SUITE.$1: $(fmt_cs $(( $(now_cs) - _t0 )))s"
	case $_rc in
	0) ksft_result pass "$1" ;;
	77) ksft_result skip "$1" "$(cat "$STATE/skip" 2>/dev/null)" ;;
	*) ksft_result fail "$1" ;;
	esac
}

# ksft_filter FILE: the -t arguments for FILE's cases named in rigb.cases
# ("" if rigb.cases is not set; "-" if it is but names none of FILE's).
ksft_filter() {
	_only=$(karg rigb.cases)
	[ -n "$_only" ] || return 0
	_t=
	for _c in $(echo "$_only" | tr , ' '); do
		case $_c in
		"$SUITE.$1."*) _t="$_t -t ${_c#"$SUITE.$1."}" ;;
		"$1."*) _t="$_t -t ${_c#"$1."}" ;;
		"$SUITE.$1" | "$1") _t="$_t -t *" ;;
		esac
	done
	echo "${_t:--}"
}

# ksft_translate OUT: the test's output as lines "R STATUS NAME REASON" (one
# per TAP result; STATUS pass, fail, skip or xfail) and "D TEXT" (diagnostics
# and other output since the previous result, shown for a failure or an XFAIL), then
# "T PLAN RESULTS TOTALS FAILS" (TOTALS 1 if the "# Totals:" line is there).
ksft_translate() {
	sed 's/\x1b\[[0-9;]*m//g' "$1" | awk '
		function flush() { for (i = 0; i < nd; i++) print "D " d[i]; nd = 0 }
		/^TAP version / { next }
		/^1\.\.[0-9]+$/ && plan == "" { plan = substr($0, 4); next }
		/^# Totals: / { totals = 1; next }
		/^(not )?ok [0-9]+ / {
			ok = ($1 == "ok"); line = $0
			sub(/^(not )?ok [0-9]+ /, "", line)
			name = line; reason = ""; dir = ""
			if ((p = index(line, " # ")) > 0) {
				name = substr(line, 1, p - 1); reason = substr(line, p + 3)
				split(reason, w, " "); dir = w[1]; sub(/^[A-Z]+ ?/, "", reason)
			}
			if (!ok) { st = "fail"; nfail++; flush() }
			else if (dir == "SKIP") st = "skip"
			else if (dir == "XFAIL") { st = "xfail"; flush() }
			else st = "pass"
			nd = 0; nres++
			print "R", st, name, reason
			next
		}
		{	# (a command line can hold a 64 KiB payload: ping.py)
			if (length($0) > 400) $0 = substr($0, 1, 400) " [... " length($0) - 400 " more characters]"
			if (nd < 80) d[nd++] = $0
		}
		END { print "T", (plan == "" ? "-" : plan), nres + 0, totals + 0, nfail + 0 }'
}

# ksft_file FILE: run FILE.py and report its cases.
ksft_file() {
	_f=$1 _out=$STATE/ksft.$1.out
	_t=$(ksft_filter "$_f")
	if [ "$_t" = - ]; then
		ksft_result skip "$_f" "not in rigb.cases"
		return 0
	fi
	klog_mark "case $SUITE.$_f"
	_t0=$(now_cs)
	# shellcheck disable=SC2086 # $_t: the -t options
	(cd "$KSFT_DIR" && PATH=/opt/ksft/bin:$PATH NETIF=$KSFT_IF LOCAL_V4=10.0.0.1 REMOTE_V4=10.0.0.2 \
		LOCAL_V6=fd00:16::1 REMOTE_V6=fd00:16::2 REMOTE_TYPE=netns REMOTE_ARGS=peer \
		timeout -s TERM -k 30 "$KSFT_TIMEOUT" python3 "$_f.py" $_t) >"$_out" 2>&1 </dev/null
	_rc=$? _dt=$(( $(now_cs) - _t0 ))
	diag "$SUITE.$_f: $(fmt_cs "$_dt")s, exit status $_rc"
	ksft_translate "$_out" >"$_out.tr"
	: >"$_out.d"
	_plan=- _nres=0 _totals=0 _nfail=0
	set -f # the words of a line are not patterns
	while IFS= read -r _l; do
		case $_l in
		"D "*) printf '%s\n' "${_l#D }" >>"$_out.d" ;;
		"R "*)
			set -- $_l
			_st=$2 _name=$3
			shift 3
			case $_st in
			fail) sed 's/^/ksft| /' "$_out.d" | while IFS= read -r _d; do diag "$_d"; done
				ksft_result fail "$_name" ;;
			xfail) sed 's/^/ksft| /' "$_out.d" | while IFS= read -r _d; do diag "$_d"; done
				ksft_result skip "$_name" "XFAIL: $*" ;;
			*) ksft_result "$_st" "$_name" "$*" ;;
			esac
			: >"$_out.d"
			;;
		"T "*)
			set -- $_l
			_plan=$2 _nres=$3 _totals=$4 _nfail=$5
			;;
		esac
	done <"$_out.tr"
	set +f
	_why=
	# (busybox timeout signals the test itself: its status is then the test's.)
	if [ "$_dt" -ge $(( KSFT_TIMEOUT * 100 )) ]; then
		_why="killed after ${KSFT_TIMEOUT}s"
	elif [ "$_plan" = - ]; then
		_why="no TAP output (exit status $_rc)"
	elif [ "$_nres" != "$_plan" ] || [ "$_totals" != 1 ]; then
		_why="$_nres results of a plan of $_plan, totals line $([ "$_totals" = 1 ] || echo missing)"
	elif [ "$_rc" != 0 ] && [ "$_rc" != 1 ]; then
		_why="exit status $_rc"
	elif [ "$_rc" = 1 ] && [ "$_nfail" = 0 ]; then
		_why="exit status 1 without a failed case"
	elif [ "$_rc" = 0 ] && [ "$_nfail" != 0 ]; then
		_why="exit status 0 with $_nfail failed cases"
	fi
	if [ -n "$_why" ]; then
		diag "$_f.py: $_why; the end of its output:"
		tail -n 40 "$_out" | cut -c1-400 | sed 's/^/ksft| /' | while IFS= read -r _d; do diag "$_d"; done
		ksft_result fail "$_f"
	fi
}

ksft_always up t_ksft_up
KSFT_IF=$(nic_name 0)
if [ "$(tail -n 1 "$STATE/results")" = "ok $(wc -l <"$STATE/results") $SUITE.up" ]; then
	for f in $KSFT_FILES; do ksft_file "$f"; done
else
	for f in $KSFT_FILES; do ksft_result skip "$f" "the pair is not up"; done
fi
ksft_always down t_ksft_down
