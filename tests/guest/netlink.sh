# shellcheck shell=sh
# "netlink" suite: the interface as netdev netlink shows it, through the
# kernel's own YNL CLI (`ynl`, python3.11 and tools/net/ynl appended to the
# initramfs: scripts/guest-run.sh PYTHON=1, the default with this suite).
# Sourced by /init after lib.sh; `make check` runs it in the MSI-X control-plane,
# MSI and INTx boots (scripts/check.sh).
#
# Cases:
#   up        the pair is up (NIC 0 here, NIC 1 in namespace "peer")
#   ynl       ynl runs: `dev-get` lists NIC 0's ifindex (the netdev family
#             answers, the specs and the library load in the guest)
#   queues    `queue-get` lists exactly RX and TX queues 0..n-1 of NIC 0, n the
#             real queue count the stack uses (its sysfs queues directories),
#             each with NIC 0's ifindex
#   napis     `napi-get` lists NIC 0's NAPI instances, each with a nonzero id and
#             NIC 0's ifindex, as many as its queue vectors (the interrupts named
#             after it, minus the "other" vector in MSI-X mode)
#   linked    every queue in queue-get carries the ID of a NAPI instance that
#             napi-get lists, and that instance's IRQ is the vector serving the
#             queue (/proc/interrupts: <if>-rx-N, <if>-tx-N or <if>-TxRx-N for
#             queue N; the bare <if> in MSI/INTx mode)
#   persist   a NAPI setting made through netlink (defer-hard-irqs 7 on RX queue
#             0's instance) and the instance's ID survive `ip link set down/up`
#             and an `ethtool -L` to one channel and back (persistent NAPI
#             configuration); the setting is cleared at the end
#   threaded  `/sys/class/net/<if>/threaded` written 1 while the interface is
#             down (the NAPI instances outlive a close, as the C igb's do), then up:
#             napi-get shows every instance threaded, pings pass; written back 0
#   qstats    `qstats-get` (netdev_stat_ops; skips on a driver without them, such
#             as the C igb): the device's rx/tx packets and bytes lie between two
#             readings of its sysfs statistics taken around the query; each queue's
#             rx-packets/tx-packets between two readings of its ethtool -S
#             counters; after `ethtool -L combined 1` only queue 0 is listed and
#             the device totals did not go back (the base keeps the removed
#             queue's history); channels restored
#   busy_poll a UDP socket with SO_BUSY_POLL (20 ms) receives 200 datagrams the
#             peer sends 5 ms apart: the NAPI ID the socket reports
#             (SO_INCOMING_NAPI_ID) is the one queue-get links to the RX queue
#             whose ethtool -S counter took them, and the stack counted at least
#             half of them as received by busy polling (TcpExt BusyPollRxPackets:
#             the driver's poll ran from the socket's busy loop, not only from
#             its interrupt)
#   bad_input netlink values that do not exist get the core's errors: queue-get
#             of queue n (past the last) fails, napi-get of an id no NAPI has fails

nl_ifindex() { cat "/sys/class/net/$(nic_name 0)/ifindex"; }
# nl_ynl OUT ARGS...: ynl with its output in OUT; fails (with OUT shown) if it does.
nl_ynl() {
	_o=$1
	shift
	ynl "$@" >"$_o" 2>&1 || { diag_klog <"$_o"; return 1; }
}
# nl_count FILE KEY VALUE: entries of ynl's printed list with 'KEY': VALUE.
nl_count() { grep -o "'$2': $3[,}]" "$1" | wc -l; }

t_nl_up() {
	pair_up || fail "$PAIR_ERR"
	command -v ynl >/dev/null || fail "no ynl in the initramfs (PYTHON=1)"
}

t_nl_ynl() {
	nl_ynl "$STATE/nl.dev" --family netdev --dump dev-get || fail "ynl --family netdev --dump dev-get failed"
	i=$(nl_ifindex)
	grep -q "'ifindex': $i[,}]" "$STATE/nl.dev" || { diag_klog <"$STATE/nl.dev"; fail "dev-get does not list ifindex $i"; }
}

t_nl_queues() {
	i=$(nl_ifindex) l=$(nic_name 0)
	nrx=$(ls -d "/sys/class/net/$l/queues/rx-"* | wc -l) ntx=$(ls -d "/sys/class/net/$l/queues/tx-"* | wc -l)
	nl_ynl "$STATE/nl.q" --family netdev --dump queue-get --json "{\"ifindex\": $i}" || fail "queue-get failed"
	rx=$(nl_count "$STATE/nl.q" type "'rx'") tx=$(nl_count "$STATE/nl.q" type "'tx'")
	diag "$l (ifindex $i): queue-get lists $rx RX and $tx TX queues; sysfs has $nrx and $ntx"
	[ "$rx" = "$nrx" ] && [ "$tx" = "$ntx" ] || { diag_klog <"$STATE/nl.q"; fail "queue-get and sysfs disagree"; }
	q=0
	while [ "$q" -lt "$nrx" ]; do
		nl_ynl "$STATE/nl.q1" --family netdev --do queue-get --json "{\"ifindex\": $i, \"id\": $q, \"type\": \"rx\"}" ||
			fail "queue-get of RX queue $q failed"
		q=$((q + 1))
	done
}

t_nl_napis() {
	i=$(nl_ifindex) l=$(nic_name 0)
	nl_ynl "$STATE/nl.napi" --family netdev --dump napi-get --json "{\"ifindex\": $i}" || fail "napi-get failed"
	n=$(nl_count "$STATE/nl.napi" ifindex "$i")
	vec=$(grep -cE " $l-(TxRx|rx|tx)-[0-9]+$" /proc/interrupts)
	[ "$vec" -gt 0 ] || vec=1 # MSI/INTx: one vector, one NAPI
	diag "$l: napi-get lists $n NAPI instances; $vec queue vectors"
	[ "$n" = "$vec" ] || { diag_klog <"$STATE/nl.napi"; fail "expected $vec NAPI instances"; }
	! grep -q "'id': 0[,}]" "$STATE/nl.napi" || fail "a NAPI instance without an id"
}

# nl_check OUT WHAT ARGS...: run the Python check on stdin with ARGS; it
# collects what is wrong in a list `bad`. Its output goes to OUT and the log;
# the case fails with WHAT if `bad` is not empty.
nl_check() {
	_out=$1 _what=$2
	shift 2
	{
		cat
		printf '%s\n' 'for b in bad:' '    print("MISMATCH", b)' 'sys.exit(1 if bad else 0)'
	} | python3 - "$@" >"$_out" 2>&1
	_rc=$?
	diag_klog <"$_out"
	[ "$_rc" = 0 ] || fail "$_what"
}

# nl_json OUT OP [JSON]: ynl --output-json dump of OP for NIC 0.
nl_json() {
	nl_ynl "$1" --output-json --family netdev --dump "$2" --json "{\"ifindex\": $(nl_ifindex)}"
}

t_nl_linked() {
	l=$(nic_name 0)
	nl_json "$STATE/nl.qj" queue-get || fail "queue-get failed"
	nl_json "$STATE/nl.nj" napi-get || fail "napi-get failed"
	# "IRQ NAME" for each of the interface's interrupts (a shared INTx line
	# lists several names, comma-separated).
	awk -v l="$l" '{ for (i = 2; i <= NF; i++) { n = $i; sub(",$", "", n)
		if (n ~ "^" l "(-(TxRx|rx|tx)-[0-9]+)?$") { sub(":", "", $1); print $1, n } } }' /proc/interrupts >"$STATE/nl.irqs"
	nl_check "$STATE/nl.linked" "queues, NAPI instances and interrupts do not match" \
		"$STATE/nl.qj" "$STATE/nl.nj" "$STATE/nl.irqs" "$l" <<'PY'
import json, sys
queues = json.load(open(sys.argv[1]))
napis = {n["id"]: n for n in json.load(open(sys.argv[2]))}
irqs = dict(line.split() for line in open(sys.argv[3]))
ifname, bad = sys.argv[4], []
for q in sorted(queues, key=lambda q: (q["type"], q["id"])):
    kind, qid, nid = q["type"], q["id"], q.get("napi-id")
    napi = napis.get(nid)
    irq = napi.get("irq") if napi else None
    name = irqs.get(str(irq))
    print(f"{kind} queue {qid}: napi-id {nid}, irq {irq} ({name})")
    if nid is None or napi is None:
        bad.append(f"{kind} queue {qid}: no NAPI instance napi-get lists")
    elif name is None:
        bad.append(f"{kind} queue {qid}: NAPI {nid}'s irq {irq} is not one of {ifname}'s")
    elif name != ifname and not name.endswith((f"-{kind}-{qid}", f"-TxRx-{qid}")):
        bad.append(f"{kind} queue {qid}: NAPI {nid} is on {name}, not the queue's vector")
PY
}

# nl_rxq0 FIELD: FIELD of the NAPI instance RX queue 0 is linked to (the
# instance's id for FIELD=id), empty if none.
nl_rxq0() {
	nl_json "$STATE/nl.qj" queue-get && nl_json "$STATE/nl.nj" napi-get || return 1
	python3 - "$STATE/nl.qj" "$STATE/nl.nj" "$1" <<'PY'
import json, sys
q = [q for q in json.load(open(sys.argv[1])) if q["type"] == "rx" and q["id"] == 0]
nid = q[0].get("napi-id") if q else None
n = [n for n in json.load(open(sys.argv[2])) if n["id"] == nid]
print(n[0].get(sys.argv[3], "") if n else "")
PY
}

t_nl_persist() {
	l=$(nic_name 0)
	id=$(nl_rxq0 id) || fail "queue-get/napi-get failed"
	[ -n "$id" ] || fail "RX queue 0 has no NAPI instance"
	nl_ynl "$STATE/nl.set" --family netdev --do napi-set --json "{\"id\": $id, \"defer-hard-irqs\": 7}" ||
		fail "napi-set defer-hard-irqs 7 on NAPI $id failed"
	ch=$(ethtool -l "$l" | awk '/^Current/ { c = 1 } c && /^Combined:/ { print $2; exit }')
	for step in "ip link set $l down; ip link set $l up" "ethtool -L $l combined 1" "ethtool -L $l combined $ch"; do
		sh -c "$step" || fail "$step failed"
		wait_for 30 link_up "$l" || fail "no carrier after: $step"
		id2=$(nl_rxq0 id) defer=$(nl_rxq0 defer-hard-irqs)
		diag "after '$step': RX queue 0 on NAPI ${id2:-none}, defer-hard-irqs ${defer:-?}"
		[ "$id2" = "$id" ] || fail "RX queue 0's NAPI ID changed from $id to ${id2:-none} ($step)"
		[ "$defer" = 7 ] || fail "defer-hard-irqs is ${defer:-unset} after: $step"
	done
	nl_ynl "$STATE/nl.set" --family netdev --do napi-set --json "{\"id\": $id, \"defer-hard-irqs\": 0}" ||
		fail "napi-set defer-hard-irqs 0 failed"
}

t_nl_threaded() {
	l=$(nic_name 0)
	t=/sys/class/net/$l/threaded
	[ -w "$t" ] || skip "no $t"
	ip link set "$l" down || fail "ip link set down"
	if ! echo 1 >"$t"; then
		ip link set "$l" up
		fail "writing 1 to $t while $l is down failed"
	fi
	ip link set "$l" up || fail "ip link set up"
	wait_for 30 link_up "$l" || fail "no carrier"
	nl_json "$STATE/nl.nj" napi-get || fail "napi-get failed"
	n=$(grep -o "\"ifindex\": $(nl_ifindex)[,}]" "$STATE/nl.nj" | wc -l)
	on=$(grep -o '"threaded": "enabled"' "$STATE/nl.nj" | wc -l)
	diag "after threaded=1 while down, then up: $on of $n NAPI instances threaded"
	echo 0 >"$t" || fail "writing 0 to $t"
	[ "$n" -gt 0 ] && [ "$on" = "$n" ] || { diag_klog <"$STATE/nl.nj"; fail "not every instance is threaded"; }
	wait_for 20 ping -c 1 -W 1 10.0.0.2 >/dev/null || fail "no ping after"
}

# nl_qstats OUT [SCOPE]: qstats-get (a dump) of NIC 0, for the device (a list
# of one) or per queue (SCOPE=queue).
nl_qstats() {
	if [ -n "${2:-}" ]; then
		ynl --output-json --family netdev --dump qstats-get --json "{\"ifindex\": $(nl_ifindex), \"scope\": \"$2\"}" >"$1" 2>&1
	else
		ynl --output-json --family netdev --dump qstats-get --json "{\"ifindex\": $(nl_ifindex)}" >"$1" 2>&1
	fi
}
# nl_sysfs OUT: NIC 0's sysfs statistics as "name value" lines.
nl_sysfs() {
	for _c in rx_packets rx_bytes tx_packets tx_bytes; do
		echo "$_c $(cat "/sys/class/net/$(nic_name 0)/statistics/$_c")"
	done >"$1"
}

t_nl_qstats() {
	l=$(nic_name 0)
	if ! nl_qstats "$STATE/nl.qs"; then
		grep -q "Operation not supported\|EOPNOTSUPP\|95" "$STATE/nl.qs" &&
			skip "$DRIVER has no netdev_stat_ops (qstats-get: $(tail -n 1 "$STATE/nl.qs"))"
		diag_klog <"$STATE/nl.qs"
		fail "qstats-get failed"
	fi
	ping -c 20 -i 0.05 -W 1 10.0.0.2 >/dev/null || fail "ping"
	nl_sysfs "$STATE/nl.sys0"
	ethtool -S "$l" >"$STATE/nl.es0"
	nl_qstats "$STATE/nl.qs" || fail "qstats-get failed"
	nl_qstats "$STATE/nl.qq" queue || fail "qstats-get per queue failed"
	nl_sysfs "$STATE/nl.sys1"
	ethtool -S "$l" >"$STATE/nl.es1"
	nl_check "$STATE/nl.qcheck" "qstats and the interface's counters disagree" \
		"$STATE/nl.qs" "$STATE/nl.qq" "$STATE/nl.sys0" "$STATE/nl.sys1" "$STATE/nl.es0" "$STATE/nl.es1" <<'PY'
import json, re, sys
dev, queues = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
dev = dev[0] if isinstance(dev, list) and dev else dev
def kv(path):
    return {k: int(v) for k, v in (l.split() for l in open(path))}
def es(path):
    return {m.group(1): int(m.group(2)) for m in (re.match(r"\s*(\S+): (\d+)$", l) for l in open(path)) if m}
s0, s1, e0, e1 = kv(sys.argv[3]), kv(sys.argv[4]), es(sys.argv[5]), es(sys.argv[6])
bad = []
for c in ("rx_packets", "rx_bytes", "tx_packets", "tx_bytes"):
    v = dev.get(c.replace("_", "-"))
    print(f"device {c}: sysfs {s0[c]}..{s1[c]}, qstats {v}")
    if v is None or not s0[c] <= v <= s1[c]:
        bad.append(f"device {c} {v} outside {s0[c]}..{s1[c]}")
for q in sorted(queues, key=lambda q: (q["queue-type"], q["queue-id"])):
    t, i = q["queue-type"], q["queue-id"]
    c = f"{t}_queue_{i}_packets"
    v = q.get(f"{t}-packets")
    print(f"{t} queue {i}: ethtool {e0.get(c)}..{e1.get(c)}, qstats {v}")
    if c not in e0 or v is None or not e0[c] <= v <= e1[c]:
        bad.append(f"{t} queue {i}: {v} outside {e0.get(c)}..{e1.get(c)}")
PY
	ch=$(ethtool -l "$l" | awk '/^Current/ { c = 1 } c && /^Combined:/ { print $2; exit }')
	if [ "${ch:-1}" -le 1 ]; then
		diag "one channel (MSI/INTx): the channel-change part does not apply"
		return 0
	fi
	ethtool -L "$l" combined 1 || fail "ethtool -L combined 1"
	wait_for 30 link_up "$l" || fail "no carrier after ethtool -L"
	nl_qstats "$STATE/nl.qs2" || fail "qstats-get failed after ethtool -L"
	nl_qstats "$STATE/nl.qq2" queue || fail "qstats-get per queue failed after ethtool -L"
	ethtool -L "$l" combined "$ch" || fail "ethtool -L combined $ch"
	wait_for 30 link_up "$l" || fail "no carrier after restoring the channels"
	nl_check "$STATE/nl.qcheck" "the device totals or the queue list are wrong after ethtool -L" \
		"$STATE/nl.qs" "$STATE/nl.qs2" "$STATE/nl.qq2" <<'PY'
import json, sys
before, after, queues = (json.load(open(p)) for p in sys.argv[1:4])
before, after = ((d[0] if isinstance(d, list) and d else d) for d in (before, after))
bad = []
ids = sorted({q["queue-id"] for q in queues})
print(f"after ethtool -L combined 1: queues {ids}")
if ids != [0]:
    bad.append(f"queues {ids} listed, expected [0]")
for c in ("rx-packets", "rx-bytes", "tx-packets", "tx-bytes"):
    print(f"device {c}: {before.get(c)} -> {after.get(c)}")
    if after.get(c) is None or after[c] < before.get(c, 0):
        bad.append(f"device {c} went back from {before.get(c)} to {after.get(c)}")
PY
}

# nl_netstat FIELD: a TcpExt counter of this namespace's /proc/net/netstat.
nl_netstat() { snmp_val /proc/net/netstat TcpExt "$1"; }
t_nl_busy_poll() {
	l=$(nic_name 0)
	_n=200 _port=9777
	link_quiet
	ethtool -S "$l" >"$STATE/nl.bp0" || fail "ethtool -S"
	_b0=$(nl_netstat BusyPollRxPackets)
	[ -n "$_b0" ] || fail "no TcpExt BusyPollRxPackets in /proc/net/netstat"
	# The receiver: a blocking recv busy polls for up to 20 ms (SO_BUSY_POLL,
	# 46; a socket timeout would make Python poll() first, which busy polls
	# only with the net.core.busy_poll sysctl); prints SO_INCOMING_NAPI_ID
	# (56) after each datagram. bg_wait ends it if datagrams go missing.
	bg_run python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, 46, 20000)
s.bind(("10.0.0.1", int(sys.argv[1])))
ids = set()
open(sys.argv[3], "w").close()
for _ in range(int(sys.argv[2])):
    s.recv(2048)
    ids.add(s.getsockopt(socket.SOL_SOCKET, 56))
print(" ".join(map(str, sorted(ids))))
' "$_port" "$_n" "$STATE/nl.bp.ready" >"$STATE/nl.bp.ids" 2>&1
	_rx=$!
	trap bg_reap EXIT
	wait_for 20 test -e "$STATE/nl.bp.ready" || fail "the receiver did not start"
	in_peer python3 -c '
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
for i in range(int(sys.argv[2])):
    s.sendto(b"x" * 64, ("10.0.0.1", int(sys.argv[1])))
    time.sleep(0.005)
' "$_port" "$_n" || fail "the peer's sender failed"
	bg_wait "$_rx" 30 || { diag_klog <"$STATE/nl.bp.ids"; fail "the receiver did not get $_n datagrams"; }
	_b1=$(nl_netstat BusyPollRxPackets)
	ethtool -S "$l" >"$STATE/nl.bp1" || fail "ethtool -S"
	nl_json "$STATE/nl.qj" queue-get || fail "queue-get failed"
	diag "receiver's NAPI IDs: $(cat "$STATE/nl.bp.ids"); BusyPollRxPackets +$(( _b1 - _b0 ))"
	nl_check "$STATE/nl.bpcheck" "busy polling did not reach the driver's NAPI instance" \
		"$STATE/nl.bp.ids" "$STATE/nl.bp0" "$STATE/nl.bp1" "$STATE/nl.qj" "$_n" "$(( _b1 - _b0 ))" <<'PY'
import json, re, sys
ids = open(sys.argv[1]).read().split()
def es(path):
    return {m.group(1): int(m.group(2)) for m in (re.match(r"\s*rx_queue_(\d+)_packets: (\d+)$", l) for l in open(path)) if m}
e0, e1, n, busy = es(sys.argv[2]), es(sys.argv[3]), int(sys.argv[5]), int(sys.argv[6])
queues = {q["id"]: q.get("napi-id") for q in json.load(open(sys.argv[4])) if q["type"] == "rx"}
moved = {q: e1.get(q, 0) - e0.get(q, 0) for q in e1}
top = max(moved, key=moved.get) if moved else None
print(f"rx queue packets moved: {moved}; queue-get rx napi-ids: {queues}")
bad = []
if len(ids) != 1:
    bad.append(f"the datagrams came with NAPI IDs {ids}, not one")
elif top is None or moved[top] < n:
    bad.append(f"no RX queue counted the {n} datagrams ({moved})")
elif str(queues.get(int(top))) != ids[0]:
    bad.append(f"SO_INCOMING_NAPI_ID {ids[0]}, but RX queue {top} (which took them) is linked to NAPI {queues.get(int(top))}")
if busy * 2 < n:
    bad.append(f"only {busy} of {n} datagrams were received by busy polling")
PY
}

t_nl_bad_input() {
	i=$(nl_ifindex) l=$(nic_name 0)
	n=$(ls -d "/sys/class/net/$l/queues/rx-"* | wc -l)
	ynl --family netdev --do queue-get --json "{\"ifindex\": $i, \"id\": $n, \"type\": \"rx\"}" >"$STATE/nl.bad" 2>&1 &&
		fail "queue-get of RX queue $n (one past the last) succeeded"
	diag "queue-get of RX queue $n: $(grep -m1 -o "error.*\|Netlink.*" "$STATE/nl.bad")"
	ynl --family netdev --do napi-get --json '{"id": 4000000000}' >"$STATE/nl.bad" 2>&1 &&
		fail "napi-get of a NAPI id no instance has succeeded"
	diag "napi-get of id 4000000000: $(grep -m1 -o "error.*\|Netlink.*" "$STATE/nl.bad")"
}

run_case up t_nl_up
run_case ynl t_nl_ynl
run_case queues t_nl_queues
run_case napis t_nl_napis
run_case linked t_nl_linked
run_case persist t_nl_persist
run_case threaded t_nl_threaded
run_case qstats t_nl_qstats
run_case busy_poll t_nl_busy_poll
run_case bad_input t_nl_bad_input
