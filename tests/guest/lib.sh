# shellcheck shell=sh
# KTAP helpers for the rust_igb guest test suites. Sourced by /init
# (tests/guest/init.sh), which then sources each suite tests/guest/<suite>.sh.
# POSIX sh, run by dash (/bin/sh in the initramfs), not busybox ash: Debian's
# busybox ash runs its own applets instead of the real ip, tc, modprobe...
#
# A suite is a list of cases:   run_case NAME FUNCTION [ARGS...]
# FUNCTION runs in a subshell; it passes by returning 0, fails with `fail MSG`
# (or any nonzero status) and skips with `skip REASON`. Results are printed as
#   ok N suite.name | not ok N suite.name | ok N suite.name # SKIP reason
# preceded by `# ...` diagnostics, on the console and on the KTAP channel
# (fd 3: /dev/ttyS1, which the host saves to a file), and counted for
#   # totals: pass N fail N skip N
#
# Settings (environment; /init sets them from rigb.* kernel parameters):
#   DRIVER  PCI driver under test (rust_igb | igb)
#   MACS    comma list of the MACs QEMU gave the NICs, in PCI_ADDRS order
#   PCI_ADDRS  the NICs' PCI addresses (default 0000:00:03.0 0000:00:05.0)
#   HOSTCTL    1: the host control channel (host_qmp) is on /dev/ttyS2
: "${DRIVER:=igb}" "${MACS:=}" "${SUITE:=adhoc}" "${HOSTCTL:=0}"
: "${PCI_ADDRS:=0000:00:03.0 0000:00:05.0}"
TESTDIR=${TESTDIR:-/tests}
STATE=${STATE:-/run/rigb}
mkdir -p "$STATE"
[ -e /proc/self/fd/3 ] || exec 3>/dev/null

# ---- output ----------------------------------------------------------------
ktap() { printf '%s\n' "$*"; printf '%s\n' "$*" >&3; }
diag() { ktap "# $*"; }
# Diagnostics quoting the kernel log: KTAP channel only, so that the console
# (which the host scans for kernel errors) holds each kernel line only once.
diag_klog() { sed 's/^/# /' >&3; }
fail() { diag "$*"; exit 1; }
skip() { printf '%s\n' "$*" >"$STATE/skip"; exit 77; }

# Centiseconds since boot.
now_cs() {
	read -r up _ </proc/uptime
	echo $(( ${up%.*} * 100 + 1${up#*.} - 100 ))
}
fmt_cs() { printf '%d.%02d' $(( $1 / 100 )) $(( $1 % 100 )); }

ktap_begin() { ktap "KTAP version 1"; : >"$STATE/results"; }

# run_case NAME CMD...: one KTAP case. With rigb.cases=A,B,... on the kernel
# command line (KERNEL_ARGS of a targeted guest run) only the cases named
# there (NAME or SUITE.NAME) run; the others are reported as skipped.
run_case() {
	_name=$SUITE.$1
	_n=$(( $(wc -l <"$STATE/results") + 1 ))
	_only=$(karg rigb.cases)
	if [ -n "$_only" ]; then
		case ",$_only," in
		*",$1,"* | *",$_name,"*) ;;
		*)
			echo "ok $_n $_name # SKIP not in rigb.cases" >>"$STATE/results"
			ktap "ok $_n $_name # SKIP not in rigb.cases"
			return 0
			;;
		esac
	fi
	shift
	klog_mark "case $_name"
	rm -f "$STATE/skip"
	_t0=$(now_cs)
	("$@")
	_rc=$?
	diag "$_name: $(fmt_cs $(( $(now_cs) - _t0 )))s"
	case $_rc in
	0) _res="ok $_n $_name" ;;
	77) _res="ok $_n $_name # SKIP $(cat "$STATE/skip" 2>/dev/null)" ;;
	*) _res="not ok $_n $_name" ;;
	esac
	echo "$_res" >>"$STATE/results"
	ktap "$_res"
}

ktap_end() {
	_n=$(wc -l <"$STATE/results")
	_skip=$(grep -c '^ok .* # SKIP' "$STATE/results")
	_fail=$(grep -c '^not ok ' "$STATE/results")
	ktap "1..$_n"
	ktap "# totals: pass $(( _n - _fail - _skip )) fail $_fail skip $_skip"
}

# ---- waiting ---------------------------------------------------------------
# wait_for SECONDS CMD [ARGS...]: poll CMD every 0.2 s until it succeeds.
wait_for() {
	_end=$(( $(now_cs) + $1 * 100 ))
	shift
	until "$@"; do
		[ "$(now_cs)" -lt "$_end" ] || return 1
		sleep 0.2
	done
}

# ---- kernel log ------------------------------------------------------------
# klog_mark TEXT writes "rigb: TEXT" to the kernel log; klog_since TEXT prints
# the kernel log after the last such mark (all of it if the mark is absent).
klog_mark() { echo "rigb: $*" >/dev/kmsg; }
klog_since() {
	dmesg | awk -v m="rigb: $*" '
		{ lines[NR] = $0 }
		substr($0, length($0) - length(m) + 1) == m { start = NR }
		END { for (i = start + 1; i <= NR; i++) print lines[i] }'
}
# Kernel-log lines matching tests/guest/kernel-log-bad.txt (minus the allowed
# ones in kernel-log-ok.txt); the host applies the same files to the console.
klog_bad() {
	grep -v -e '^#' -e '^$' "$TESTDIR/kernel-log-bad.txt" >"$STATE/bad.re"
	grep -v -e '^#' -e '^$' "$TESTDIR/kernel-log-ok.txt" >"$STATE/ok.re"
	grep -E -f "$STATE/bad.re" | grep -v -E -f "$STATE/ok.re"
}

# ---- the host: QEMU's monitor -------------------------------------------------
# host_qmp JSON [SECS]: run one QMP command on the host (scripts/qmp-relay.py,
# over the guest's /dev/ttyS2, guest-run.sh HOST_CONTROL=1) and print its
# one-line JSON reply. Status 0 only for a "return" reply within SECS (default
# 20); 1 for an "error" reply, no reply or no channel. E.g.
#   host_qmp '{"execute": "set_link", "arguments": {"name": "n0", "up": false}}'
# The port is opened once per call, switched to raw mode without echo (the
# relay must see exactly the line written), and kept open while the reply is
# read (a serial port drops what arrives while nobody has it open).
HOSTCTL_TTY=/dev/ttyS2
host_qmp() {
	[ "$HOSTCTL" = 1 ] && [ -c "$HOSTCTL_TTY" ] || { echo '{"error":{"class":"NoChannel"}}'; return 1; }
	# shellcheck disable=SC2016
	_r=$(timeout "${2:-20}" sh -c 'exec 4<>"$1" && stty raw -echo -echoe -echok -icrnl -onlcr <&4 &&
		printf "%s\n" "$2" >&4 && head -n 1 <&4' sh "$HOSTCTL_TTY" "$1" | tr -d '\r')
	echo "$_r"
	case $_r in '{"return"'*) return 0 ;; *) return 1 ;; esac
}

# karg NAME: value of the last kernel parameter NAME=VALUE (empty if none);
# the suites' knobs (rigb.<name>) are read with it.
karg() {
	_v=
	# shellcheck disable=SC2013 # words, not lines
	for _a in $(cat /proc/cmdline); do
		case $_a in "$1"=*) _v=${_a#*=} ;; esac
	done
	echo "$_v"
}

# ---- the NICs --------------------------------------------------------------
nth() { _i=$(( $1 + 1 )); shift; [ $# -ge $_i ] && eval "echo \"\${$_i}\""; }
# shellcheck disable=SC2086 # word splitting of the list is intended
nic_pci() { nth "$1" $PCI_ADDRS; }                                # index -> PCI address
# shellcheck disable=SC2046
nic_mac() { nth "$1" $(echo "$MACS" | tr , ' ') | tr A-F a-f; }   # index -> expected MAC
nic_name() { ls "/sys/bus/pci/devices/$(nic_pci "$1")/net" 2>/dev/null | head -n1; }
# vector_irqs IFNAME [KINDS]: "name count" per queue vector of IFNAME (summed
# over CPUs) from /proc/interrupts, for vectors named IFNAME-KIND-N with KIND
# matching the regex KINDS (default TxRx|rx|tx: all queue vectors; the
# "other" vector is plain IFNAME).
vector_irqs() {
	awk -v ifn="$1" -v k="${2:-TxRx|rx|tx}" '$NF ~ "^" ifn "-(" k ")-[0-9]+$" {
		s = 0; for (i = 2; i < NF; i++) if ($i ~ /^[0-9]+$/) s += $i; print $NF, s }' /proc/interrupts
}
nic_driver() {
	_l=$(readlink "/sys/bus/pci/devices/$(nic_pci "$1")/driver") || return 1
	basename "$_l"
}
# nic_bound I: NIC I has a netdev and is bound to $DRIVER; nic_ready I: and
# has the MAC QEMU gave it.
nic_bound() { [ -n "$(nic_name "$1")" ] && [ "$(nic_driver "$1")" = "$DRIVER" ]; }
nic_ready() {
	nic_bound "$1" && [ "$(cat "/sys/class/net/$(nic_name "$1")/address" 2>/dev/null)" = "$(nic_mac "$1")" ]
}
nics_bound() { nic_bound 0 && nic_bound 1; }
nics_ready() { nic_ready 0 && nic_ready 1; }
nics_gone() { [ -z "$(nic_name 0)$(nic_name 1)" ]; }
# link_up IFNAME: carrier present and operstate up.
link_up() {
	[ "$(cat "/sys/class/net/$1/carrier" 2>/dev/null)" = 1 ] &&
		[ "$(cat "/sys/class/net/$1/operstate" 2>/dev/null)" = up ]
}
# Print what we know about NIC I (for diagnostics).
nic_diag() {
	diag "nic$1 $(nic_pci "$1"): netdev=$(nic_name "$1") driver=$(nic_driver "$1" || echo none)" \
		"mac=$(cat "/sys/class/net/$(nic_name "$1")/address" 2>/dev/null) expected=$(nic_mac "$1")"
}
nics_diag_fail() { nic_diag 0; nic_diag 1; fail "$*"; }

# ---- the driver ------------------------------------------------------------
# An out-of-tree module is at /lib/modules/$DRIVER.ko (added by the host);
# otherwise $DRIVER is an in-tree module that modprobe resolves with its deps.
driver_ko() { [ -f "/lib/modules/$DRIVER.ko" ] && echo "/lib/modules/$DRIVER.ko"; }
module_name() {
	_ko=$(driver_ko) || { echo "$DRIVER"; return; }
	modinfo -F name "$_ko" 2>/dev/null || basename "$_ko" .ko | tr - _
}
load_driver() {
	if _ko=$(driver_ko); then
		_deps=$(modinfo -F depends "$_ko" | tr , ' ')
		# shellcheck disable=SC2086
		[ -z "$_deps" ] || modprobe -a $_deps || return 1
		# shellcheck disable=SC2086
		insmod "$_ko" $MODPARAMS
	else
		modprobe "$DRIVER"
	fi
}
unload_driver() { rmmod "$(module_name)"; }
module_loaded() { lsmod | grep -q "^$(module_name) "; }

# ---- peer network namespace ------------------------------------------------
# peer_setup moves NIC 1 into namespace "peer" (NIC 0 stays here, cabled to it
# through the QEMU hub); run commands there with in_peer CMD...
peer_setup() {
	_if=$(nic_name 1)
	[ -n "$_if" ] || return 1
	ip netns add peer && ip link set "$_if" netns peer && echo "$_if" >"$STATE/peer_if"
}
peer_if() { cat "$STATE/peer_if"; }
in_peer() { ip netns exec peer "$@"; }

# ---- background processes ------------------------------------------------------
# bg_run [-i FILE] CMD...: run CMD (an executable or applet, not a shell
# function) in the background, its PID added to BG_PIDS; output redirections on
# the bg_run call apply to CMD. Its stdin is /dev/null (ash does that to
# background commands without job control), or FILE opened read-write with -i.
# Cases that use it set `trap bg_reap EXIT` (or a trap that calls it), which
# kills whatever is left.
BG_PIDS=
bg_run() {
	_in=/dev/null
	if [ "$1" = -i ]; then _in=$2; shift 2; fi
	"$@" <>"$_in" &
	BG_PIDS="$BG_PIDS $!"
}
# bg_reap: kill what bg_run started and is still there (SIGTERM, then SIGKILL
# half a second later).
bg_reap() {
	[ -n "$BG_PIDS" ] || return 0
	for _p in $BG_PIDS; do kill "$_p" 2>/dev/null; done
	sleep 0.5
	for _p in $BG_PIDS; do kill -9 "$_p" 2>/dev/null; done
	BG_PIDS=
}
# bg_forget PID: no longer reap PID (it was waited for).
bg_forget() { BG_PIDS=$(echo " $BG_PIDS " | sed "s/ $1 / /"); }
# bg_gone PID: the process has exited (gone, or a zombie not yet waited for).
bg_gone() { [ ! -e "/proc/$1/stat" ] || [ "$(awk '{ print $3 }' "/proc/$1/stat" 2>/dev/null)" = Z ]; }
# bg_wait PID SECS: wait up to SECS for background PID (kill it after that);
# returns its exit status.
bg_wait() {
	wait_for "$2" bg_gone "$1" || { kill "$1" 2>/dev/null; sleep 1; kill -9 "$1" 2>/dev/null; }
	wait "$1"
	_st=$?
	bg_forget "$1"
	return $_st
}
# in_peer_bg [-i FILE] CMD...: bg_run in the peer namespace.
PEER_NETNS=/run/netns/peer
in_peer_bg() {
	if [ "$1" = -i ]; then
		_i=$2
		shift 2
		bg_run -i "$_i" nsenter -F --net="$PEER_NETNS" "$@"
	else
		bg_run nsenter -F --net="$PEER_NETNS" "$@"
	fi
}
# ns_peer_if: the name of NIC 1's interface inside the peer namespace, found
# by its PCI address (a reload renames it); empty, and false, if not there.
ns_peer_if() {
	# shellcheck disable=SC2016
	in_peer sh -c 'for d in /sys/class/net/*; do
		case $(readlink "$d/device") in */"$1") echo "${d##*/}"; exit 0 ;; esac
	done; exit 1' sh "$(nic_pci 1)" 2>/dev/null
}
ns_has_peer_if() { [ -n "$(ns_peer_if)" ]; }
# snmp_val FILE PROTO FIELD: a counter of /proc/net/snmp (header line, then value line).
snmp_val() {
	awk -v p="$2:" -v f="$3" '$1 == p { if (!h) { for (i = 2; i <= NF; i++) n[$i] = i; h = 1 }
		else if (f in n) { print $(n[f]); exit } }' "$1"
}
local_snmp() { snmp_val /proc/net/snmp "$1" "$2"; }
peer_snmp() { in_peer cat /proc/net/snmp >"$STATE/peer.snmp" && snmp_val "$STATE/peer.snmp" "$1" "$2"; }
# Deleting the namespace returns the physical NIC to this one.
peer_teardown() {
	ip netns del peer 2>/dev/null
	rm -f "$STATE/peer_if"
	wait_for 20 nic_ready 1
}

# peer_iperf_server [PORT]: a one-shot iperf3 server in the peer namespace,
# returning once its socket listens (no fixed sleep before the client). An
# earlier server on the port (a one-shot one exits just after its client) is
# waited out first, so the check cannot see the old socket.
peer_iperf_server() {
	_p=${1:-5201}
	wait_for 20 peer_port_free "$_p" || return 1
	in_peer iperf3 -s -D -1 -p "$_p" >/dev/null 2>&1 || return 1
	wait_for 20 peer_listening "$_p"
}
peer_port_free() { ! peer_listening "$1"; }
peer_listening() {
	# shellcheck disable=SC2016
	in_peer sh -c 'cat /proc/net/tcp /proc/net/tcp6 2>/dev/null' |
		awk -v p="$(printf ':%04X' "$1")" 'substr($2, length($2) - 4) == p && $4 == "0A" { f = 1 } END { exit !f }'
}
# local_iperf_server [PORT]: the same in this namespace (for a client in the peer).
local_iperf_server() {
	_p=${1:-5201}
	wait_for 20 local_port_free "$_p" || return 1
	iperf3 -s -D -1 -p "$_p" >/dev/null 2>&1 || return 1
	wait_for 20 local_listening "$_p"
}
local_port_free() { ! local_listening "$1"; }
local_listening() {
	cat /proc/net/tcp /proc/net/tcp6 2>/dev/null |
		awk -v p="$(printf ':%04X' "$1")" 'substr($2, length($2) - 4) == p && $4 == "0A" { f = 1 } END { exit !f }'
}
# peer_iperf_kill: end every iperf3 (a long-lived or stuck server; busybox has
# killall, no pkill; the PID namespace is shared, so this means local ones too)
# and wait until the peer's port 5201 is free for the next peer_iperf_server.
peer_iperf_kill() {
	killall iperf3 2>/dev/null
	wait_for 20 peer_port_free 5201
}
# ---- a quiet link ------------------------------------------------------------
# tcp_busy: a TCP connection other than a listener or one in TIME_WAIT/CLOSE
# exists here or in the peer namespace (it may still send: a connection whose
# other end went away is retransmitted for minutes); prints them.
tcp_busy() {
	{
		cat /proc/net/tcp /proc/net/tcp6
		in_peer cat /proc/net/tcp /proc/net/tcp6
	} 2>/dev/null | awk '$1 != "sl" && $4 != "0A" && $4 != "06" && $4 != "07" { print $2, $3, $4; n++ } END { exit !(n > 0) }'
}
tcp_idle() { ! tcp_busy >/dev/null; }
# link_quiet: before a check that counts frames, end the traffic earlier cases
# left behind: stray iperf3 and nc killed (the PID namespace is shared, so one
# killall covers the peer's too), then up to 60 s until neither namespace has
# a TCP connection left; if one is, the case goes on and says which.
link_quiet() {
	killall iperf3 nc 2>/dev/null
	wait_for 60 tcp_idle || diag "TCP connections still open after 60 s (local remote state): $(tcp_busy | tr '\n' ';')"
}

# iperf_udp_total FILE sender|receiver: the datagram total of iperf3 -u's
# summary line for that side ("lost/total"; the sender's is the datagrams sent).
iperf_udp_total() {
	awk -v w="$2" '$NF == w { for (i = 1; i < NF; i++) if ($i ~ /^-?[0-9]+\/[0-9]+$/) r = $i } END { sub(/.*\//, "", r); print r }' "$1"
}
# iperf_udp_loss FILE: the receiver's "lost/total (percent)", for diagnostics.
iperf_udp_loss() {
	awk '$NF == "receiver" { for (i = 1; i < NF; i++) if ($i ~ /^-?[0-9]+\/[0-9]+$/) r = $i " " $(i + 1) } END { print r }' "$1"
}

# ---- frames across the cable -------------------------------------------------
# Whether a datagram flood arrived is judged by NIC counters, not by iperf3's
# loss: a receiving socket that overflows (the host was slow to schedule the
# receiver) loses datagrams the NIC delivered. frames_begin LOCALIF PEERIF
# takes both NICs' counts; frames_check tx|rx SENT [SLACK] then passes if the
# transmitting NIC (local for tx, the peer for rx) counted at least SENT frames
# and the receiving one at least as many as it sent minus SLACK (default 10:
# background frames the receiver's filters drop, e.g. MLD), waiting up to 5 s
# for the counters (completions may lag), and neither NIC's drop counters (rx_missed_errors,
# rx_queue_N_drops) moved. It prints the deltas; on failure FRAMES_ERR says why.
frame_counts() { # IFNAME [peer]: "tx_packets rx_packets drops"
	_x=
	[ "${2:-}" = peer ] && _x=in_peer
	$_x cat "/sys/class/net/$1/statistics/tx_packets" "/sys/class/net/$1/statistics/rx_packets" | tr '\n' ' '
	$_x ethtool -S "$1" | awk '$1 == "rx_missed_errors:" || $1 ~ /^rx_queue_[0-9]+_drops:$/ { s += $2 } END { print s + 0 }'
}
frames_begin() {
	FR_L=$1 FR_P=$2
	frame_counts "$1" >"$STATE/fr.l0" && frame_counts "$2" peer >"$STATE/fr.p0"
}
# shellcheck disable=SC2046 # the counts are split on purpose
frames_delta() {
	read -r _a _b _c <"$STATE/fr.l0"
	set -- $(frame_counts "$FR_L")
	FR_LTX=$(( $1 - _a )) FR_LRX=$(( $2 - _b )) FR_LDROP=$(( $3 - _c ))
	read -r _a _b _c <"$STATE/fr.p0"
	set -- $(frame_counts "$FR_P" peer)
	FR_PTX=$(( $1 - _a )) FR_PRX=$(( $2 - _b )) FR_PDROP=$(( $3 - _c ))
	if [ "$FR_DIR" = tx ]; then FR_SENT=$FR_LTX FR_GOT=$FR_PRX; else FR_SENT=$FR_PTX FR_GOT=$FR_LRX; fi
}
frames_arrived() { frames_delta; [ "$FR_SENT" -ge "$FR_MIN" ] && [ "$FR_GOT" -ge $(( FR_SENT - FR_SLACK )) ]; }
frames_check() {
	FR_DIR=$1 FR_MIN=$2 FR_SLACK=${3:-10} FRAMES_ERR=
	wait_for 5 frames_arrived
	diag "frames ($1): local tx +$FR_LTX rx +$FR_LRX drops +$FR_LDROP;" \
		"peer tx +$FR_PTX rx +$FR_PRX drops +$FR_PDROP; $2 datagrams sent"
	if [ "$FR_SENT" -lt "$2" ]; then
		FRAMES_ERR="the sending NIC counted $FR_SENT frames for $2 datagrams"
	elif [ "$FR_GOT" -lt $(( FR_SENT - FR_SLACK )) ]; then
		FRAMES_ERR="the receiving NIC counted $FR_GOT of $FR_SENT frames (slack $FR_SLACK)"
	elif [ "$FR_LDROP" != 0 ] || [ "$FR_PDROP" != 0 ]; then
		FRAMES_ERR="drop counters moved: local +$FR_LDROP, peer +$FR_PDROP"
	fi
	[ -z "$FRAMES_ERR" ]
}

# ---- RSS: which RX queue a flow lands on ------------------------------------
# The 82576 hashes a received TCP/IPv4 frame with the Toeplitz function over
# (source address, destination address, source port, destination port) and
# the interface's key (UDP/IPv4 likewise if `ethtool -N rx-flow-hash udp4
# sdfn` asked; by default, as any other IPv4, over the addresses only) and
# takes RX queue RETA[hash & 127]. Both come from
# `ethtool -x`, so a test can pick ports whose flow lands on the queue it
# wants instead of hoping that random ports spread.
#
# toeplitz KEY SRC DST [SPORT DPORT]: the hash (decimal) for the IPv4 tuple,
# KEY as ethtool prints it (6d:5a:...). rss_selftest checks it against the
# published verification vectors.
toeplitz() {
	awk -v key="$1" -v src="$2" -v dst="$3" -v sp="${4:-}" -v dp="${5:-}" "$RSS_AWK"'
	BEGIN { print hash(keybits(key), tuple(src, dst, sp, dp)) }'
}
# RSS_AWK: the functions (busybox awk has no ^ and no bit operations, so
# bits are strings of 0 and 1).
RSS_AWK='
function bits(v, n,   s, i) { s = ""; for (i = 0; i < n; i++) { s = (v % 2) s; v = int(v / 2) } return s }
function hex(h) { h = tolower(h); return index("0123456789abcdef", substr(h, 1, 1)) * 16 + index("0123456789abcdef", substr(h, 2, 1)) - 17 }
function keybits(key,   kb, n, i, k) { n = split(key, kb, ":"); k = ""; for (i = 1; i <= n; i++) k = k bits(hex(kb[i]), 8); return k }
function tuple(src, dst, sp, dp,   a, b, i, s) {
	split(src, a, "."); split(dst, b, "."); s = ""
	for (i = 1; i <= 4; i++) s = s bits(a[i], 8)
	for (i = 1; i <= 4; i++) s = s bits(b[i], 8)
	if (sp != "") s = s bits(sp, 16) bits(dp, 16)
	return s
}
function hash(k, s,   r, i, j, h) {
	for (j = 1; j <= 32; j++) r[j] = 0
	for (i = 1; i <= length(s); i++)
		if (substr(s, i, 1) == "1")
			for (j = 1; j <= 32; j++) r[j] = (r[j] + substr(k, i + j - 1, 1)) % 2
	h = 0
	for (j = 1; j <= 32; j++) h = h * 2 + r[j]
	return sprintf("%.0f", h)
}
'
# RSS_TABLE: awk rules reading `ethtool -x` output into reta[0..n-1] (the
# redirection table) and key; table_ok() says both were read whole.
RSS_TABLE='
/^[[:space:]]*[0-9]+:/ { for (f = 2; f <= NF; f++) reta[n++] = $f }
/RSS hash key/ { getline; key = $1 }
function table_ok() { return n == 128 && key != "" }
'
# rss_port IFNAME QUEUE SRC DST SPORT FROM: the first destination port from
# FROM on whose TCP/IPv4 flow SRC:SPORT -> DST:port IFNAME puts on RX queue
# QUEUE (nothing and status 1 if none within 4096 ports). The same for a
# UDP flow while UDP is hashed with its ports (not the default, see
# rss_queue).
rss_port() {
	ethtool -x "$1" >"$STATE/rss.x" 2>&1 || return 1
	awk -v q="$2" -v src="$3" -v dst="$4" -v sp="$5" -v from="$6" "$RSS_AWK$RSS_TABLE"'
	END {
		if (!table_ok()) exit 1
		k = keybits(key)
		for (p = from; p < from + 4096; p++)
			if (reta[hash(k, tuple(src, dst, sp, p)) % 128] == q) { print p; exit 0 }
		exit 1
	}' "$STATE/rss.x"
}
# rss_queue IFNAME SRC DST [SPORT DPORT]: the RX queue IFNAME puts the IPv4
# flow on if it hashes the addresses and, when given, the ports (TCP, or UDP
# when `ethtool -N rx-flow-hash udp4 sdfn` asked for them); status 1 if the
# table or key cannot be read.
rss_queue() {
	ethtool -x "$1" >"$STATE/rss.x" 2>&1 || return 1
	awk -v src="$2" -v dst="$3" -v sp="${4:-}" -v dp="${5:-}" "$RSS_AWK$RSS_TABLE"'
	END {
		if (!table_ok()) exit 1
		print reta[hash(keybits(key), tuple(src, dst, sp, dp)) % 128]
	}' "$STATE/rss.x"
}
# queue_stat IFNAME NAME: counter NAME of `ethtool -S IFNAME` (e.g. rx_queue_1_packets).
queue_stat() { ethtool -S "$1" | sed -n "s/^[[:space:]]*$2: \([0-9]*\)$/\1/p" | head -n1; }
# queue_vector_irqs IFNAME rx|tx Q: interrupts so far of the vector serving
# queue Q's ring in that direction (IFNAME-rx-Q / IFNAME-tx-Q, or the pair's
# IFNAME-TxRx-Q); empty without MSI-X queue vectors.
queue_vector_irqs() {
	vector_irqs "$1" "$2|TxRx" | awk -v q="$3" '$1 ~ "-" q "$" { print $2; exit }'
}
# rx_queue_check IFNAME Q LOCAL PEER PORTBASE: 1 MiB of TCP from the peer
# (iperf3 -R, server on PEER:5201 in the peer namespace) on a flow steered to
# RX queue Q; passes if that queue counted the frames (at least 1 MiB / 1500)
# and, with MSI-X, its vector interrupted. Prints a diagnostic line.
rx_queue_check() {
	_port=$(rss_port "$1" "$2" "$4" "$3" 5201 "$5") || { diag "no port found for RX queue $2"; return 1; }
	_p0=$(queue_stat "$1" "rx_queue_$2_packets")
	_v0=$(queue_vector_irqs "$1" rx "$2")
	peer_iperf_server || { diag "iperf3 server"; return 1; }
	iperf3 -c "$4" -R -n 1M --cport "$_port" >"$STATE/rxq.iperf" 2>&1 ||
		{ diag "iperf3 -R --cport $_port: $(tail -n 2 "$STATE/rxq.iperf" | tr '\n' ' ')"; return 1; }
	_p1=$(queue_stat "$1" "rx_queue_$2_packets")
	_v1=$(queue_vector_irqs "$1" rx "$2")
	diag "RX queue $2 (port $_port): $(( _p1 - _p0 )) frames, vector interrupts ${_v0:-none} -> ${_v1:-none}"
	[ $(( _p1 - _p0 )) -ge 699 ] || { diag "RX queue $2 counted $(( _p1 - _p0 )) frames of a 1 MiB flow"; return 1; }
	[ "${_v0:-x}" != "${_v1:-x}" ] || [ -z "$_v0" ] || { diag "RX queue $2's vector took no interrupt"; return 1; }
}
# tx_queue_check IFNAME CPU PEER: 3 pings sent from CPU (XPS: TX queue CPU);
# passes if TX queue CPU counted them and, with MSI-X, its vector interrupted.
tx_queue_check() {
	_p0=$(queue_stat "$1" "tx_queue_$2_packets")
	_v0=$(queue_vector_irqs "$1" tx "$2")
	taskset -c "$2" ping -c 3 -i 0.2 -W 3 "$3" >/dev/null || { diag "ping from CPU $2"; return 1; }
	_p1=$(queue_stat "$1" "tx_queue_$2_packets")
	_v1=$(queue_vector_irqs "$1" tx "$2")
	diag "TX queue $2 (CPU $2): $(( _p1 - _p0 )) frames, vector interrupts ${_v0:-none} -> ${_v1:-none}"
	[ $(( _p1 - _p0 )) -ge 3 ] || { diag "TX queue $2 counted $(( _p1 - _p0 )) of 3 pings"; return 1; }
	[ "${_v0:-x}" != "${_v1:-x}" ] || [ -z "$_v0" ] || { diag "TX queue $2's vector took no interrupt"; return 1; }
}
# rss_selftest: toeplitz against the verification vectors Microsoft publishes
# for RSS (key 6d:5a:...:01:fa): IPv4 with and without TCP ports.
rss_selftest() {
	_k=6d:5a:56:da:25:5b:0e:c2:41:67:25:3d:43:a3:8f:b0:d0:ca:2b:cb:ae:7b:30:b4:77:cb:2d:a3:80:30:f2:0c:6a:42:b7:3b:be:ac:01:fa
	[ "$(toeplitz $_k 66.9.149.187 161.142.100.80 2794 1766)" = $((0x51ccc178)) ] &&
		[ "$(toeplitz $_k 66.9.149.187 161.142.100.80)" = $((0x323e8fc2)) ] &&
		[ "$(toeplitz $_k 199.92.111.2 65.69.140.83 14230 4739)" = $((0xc626b0ea)) ] &&
		[ "$(toeplitz $_k 24.19.198.95 12.22.207.184 12898 38024)" = $((0x5c2b394a)) ]
}

# ---- a cabled pair ---------------------------------------------------------
# pair_up: a fresh load of $DRIVER (so that the probe's lines are in the log
# after the mark "load $DRIVER"), NIC 0 as 10.0.0.1 here, NIC 1 as 10.0.0.2
# in namespace "peer", both links up. On failure PAIR_ERR says why.
pair_up() {
	PAIR_ERR=
	# A suite that failed half-way may have left its namespace behind.
	if ip netns list 2>/dev/null | grep -q '^peer\b'; then peer_teardown; fi
	if module_loaded && ! unload_driver; then PAIR_ERR="rmmod"; return 1; fi
	klog_mark "load $DRIVER"
	load_driver || { PAIR_ERR="loading $DRIVER failed"; return 1; }
	wait_for 30 nics_ready || { nic_diag 0; nic_diag 1; PAIR_ERR="NICs did not appear"; return 1; }
	peer_setup || { PAIR_ERR="peer namespace"; return 1; }
	_l=$(nic_name 0); _p=$(peer_if)
	ip addr add 10.0.0.1/24 dev "$_l" && ip link set "$_l" up || { PAIR_ERR="local address"; return 1; }
	in_peer ip addr add 10.0.0.2/24 dev "$_p" && in_peer ip link set "$_p" up &&
		in_peer ip link set lo up || { PAIR_ERR="peer address"; return 1; }
	wait_for 30 link_up "$_l" || { PAIR_ERR="no link"; return 1; }
	wait_for 30 in_peer sh -c "grep -q 1 /sys/class/net/$_p/carrier" || { PAIR_ERR="no peer link"; return 1; }
}
