# shellcheck shell=sh
# "soak" suite (`make soak`; issue 14 item 7): a bounded mixed run. NIC 0 runs
# $DRIVER (10.0.0.1), NIC 1 the C igb in namespace "peer" (10.0.0.2). For
# SOAK_SECS seconds (kernel parameter rigb.soak_secs, default 120):
#
#   - checksummed TCP transfers (SOAK_MIB MiB of random data, nc) run back to
#     back in each direction, each on a fresh connection;
#   - a UDP stream runs both ways at once (iperf3 -u --bidir, 2 Mbit/s each);
#   - the control plane changes under them in a fixed rotation, one change
#     every few seconds: ring sizes (-G), channels (-L), coalescing (-C), MTU
#     (1500/9000/4000: never below what the peer sends), rx mode (promisc,
#     allmulticast), a VLAN added on both ends, pinged across and removed,
#     TSO/GRO off and on (-K), and a link flap (QMP set_link off/on of NIC
#     0's cable through the host channel, guest-run.sh turns it on for this
#     suite) alternating with a renegotiation (-r).
#
# Each transfer either completes with the sent bytes and sha256, or fails with
# an error (counted, allowed: a connection may time out across a change); one
# that completes with other bytes is silent corruption and fails the suite. At
# the end: no corruption, at least one intact transfer each way, the UDP
# stream ended with a receiver summary both ways, the interface's counters
# show no receive errors, every RX queue receives a steered flow and every TX
# queue sends (lib.sh rx_queue_check/tx_queue_check), and the usual log scan
# and kmemleak check of the harness follow. Sourced by /init after lib.sh.

: "${SOAK_SECS:=$(karg rigb.soak_secs)}" "${SOAK_SECS:=120}"
: "${SOAK_MIB:=$(karg rigb.soak_mib)}" "${SOAK_MIB:=4}"
SK_NETNS=/run/netns/peer
SK_STOP=$STATE/sk.stop
SK_RES=$STATE/sk.results

sk_if() { nic_name 0; }

# sk_xfer DIR N: one checksummed transfer (tx: here to the peer, rx: the
# peer to here) on port 5400/5500 + N mod 50; appends "DIR ok|err|corrupt" to
# $SK_RES. The receiving nc reads its stdin from a FIFO held open, so it exits
# on the socket's EOF, not its stdin's (busybox nc).
sk_xfer() {
	_d=$1 _tx=$STATE/sk.payload _rx=$STATE/sk.recv-$1 _hold=$STATE/sk.hold-$1
	[ -p "$_hold" ] || mkfifo "$_hold"
	rm -f "$_rx"
	if [ "$_d" = tx ]; then
		_port=$(( 5400 + $2 % 50 ))
		nsenter -F --net="$SK_NETNS" timeout 120 nc -l -p $_port <>"$_hold" >"$_rx" 2>/dev/null &
		_rpid=$!
		wait_for 20 peer_listening $_port || { kill $_rpid 2>/dev/null; echo "$_d err listen" >>"$SK_RES"; return; }
		timeout 120 nc -w 20 10.0.0.2 $_port <"$_tx" >/dev/null 2>&1
	else
		_port=$(( 5500 + $2 % 50 ))
		timeout 120 nc -l -p $_port <>"$_hold" >"$_rx" 2>/dev/null &
		_rpid=$!
		wait_for 20 local_listening $_port || { kill $_rpid 2>/dev/null; echo "$_d err listen" >>"$SK_RES"; return; }
		nsenter -F --net="$SK_NETNS" timeout 120 nc -w 20 10.0.0.1 $_port <"$_tx" >/dev/null 2>&1
	fi
	_src=$?
	wait $_rpid
	_rrc=$?
	if [ $_src != 0 ] || [ $_rrc != 0 ]; then
		echo "$_d err nc $_src/$_rrc $(wc -c <"$_rx") bytes" >>"$SK_RES"
	elif [ "$(sha256sum <"$_rx" | cut -d' ' -f1)" = "$(cat "$STATE/sk.sum")" ]; then
		echo "$_d ok" >>"$SK_RES"
	else
		echo "$_d corrupt $(wc -c <"$_rx") bytes" >>"$SK_RES"
	fi
}
# sk_loop DIR: transfers back to back until $SK_STOP exists.
sk_loop() {
	_n=0
	while [ ! -e "$SK_STOP" ]; do
		sk_xfer "$1" $_n
		_n=$(( _n + 1 ))
	done
}
sk_count() { grep -c "^$1 $2" "$SK_RES"; }

# sk_settle: the link is up and the peer answers (a change may take the link
# down for a few seconds).
sk_settle() {
	wait_for 30 link_up "$(sk_if)" || return 1
	wait_for 20 ping -c 1 -W 1 10.0.0.2 >/dev/null
}

# sk_vlan: VLAN 10 on both ends, three pings across it, removed again.
sk_vlan() {
	_l=$(sk_if) _p=$(peer_if)
	ip link add link "$_l" name sk.10 type vlan id 10 && ip addr add 10.0.10.1/24 dev sk.10 &&
		ip link set sk.10 up || return 1
	in_peer ip link add link "$_p" name sk.10 type vlan id 10 && in_peer ip addr add 10.0.10.2/24 dev sk.10 &&
		in_peer ip link set sk.10 up || return 1
	wait_for 20 ping -c 1 -W 1 10.0.10.2 >/dev/null
	_rc=$?
	ip link del sk.10
	in_peer ip link del sk.10
	return $_rc
}

# sk_change I: the I-th change of the rotation; prints what it did.
sk_change() {
	_l=$(sk_if) _k=$(( $1 / 8 % 4 ))
	case $(( $1 % 8 )) in
	0)
		set -- "rx 512 tx 1024" "rx 128 tx 80" "rx 2048 tx 256" "rx 256 tx 256"
		shift $_k
		echo "-G $1"
		# shellcheck disable=SC2086
		ethtool -G "$_l" $1
		;;
	1)
		_c=1
		[ $(( _k % 2 )) = 1 ] && _c=$(nproc)
		echo "-L combined $_c"
		ethtool -L "$_l" combined "$_c"
		;;
	2)
		set -- 0 100 1 3
		shift $_k
		echo "-C rx-usecs $1"
		ethtool -C "$_l" rx-usecs "$1"
		;;
	3)
		set -- 9000 1500 4000 1500
		shift $_k
		echo "mtu $1"
		ip link set "$_l" mtu "$1"
		;;
	4)
		set -- "promisc on" "allmulticast on" "promisc off" "allmulticast off"
		shift $_k
		echo "$1"
		# shellcheck disable=SC2086
		ip link set "$_l" $1
		;;
	5)
		echo "VLAN 10 up, pinged, removed"
		sk_vlan
		;;
	6)
		set -- "tso off" "gro off" "tso on" "gro on"
		shift $_k
		echo "-K $1"
		# shellcheck disable=SC2086
		ethtool -K "$_l" $1
		;;
	7)
		# A pulled cable (QMP set_link on NIC 0's end, host channel), or
		# where there is no channel a renegotiation.
		if [ $(( _k % 2 )) = 0 ] && host_qmp '{"execute": "query-status"}' >/dev/null; then
			echo "link flap"
			host_qmp '{"execute": "set_link", "arguments": {"name": "n0", "up": false}}' >/dev/null &&
				sleep 1 &&
				host_qmp '{"execute": "set_link", "arguments": {"name": "n0", "up": true}}' >/dev/null
		else
			echo "-r"
			ethtool -r "$_l"
		fi
		;;
	esac
}

t_sk_up() {
	pair_up || fail "$PAIR_ERR"
	dd if=/dev/urandom of="$STATE/sk.payload" bs=1M count="$SOAK_MIB" 2>/dev/null || fail "payload"
	sha256sum <"$STATE/sk.payload" | cut -d' ' -f1 >"$STATE/sk.sum"
	wait_for 20 ping -c 1 -W 1 10.0.0.2 >/dev/null || fail "no traffic"
}

t_sk_run() {
	l=$(sk_if)
	rm -f "$SK_STOP"
	: >"$SK_RES"
	rx_err0=$(cat "/sys/class/net/$l/statistics/rx_errors")
	peer_iperf_server || fail "iperf3 server"
	timeout $(( SOAK_SECS + 60 )) iperf3 -c 10.0.0.2 -u -b 2M --bidir -t "$SOAK_SECS" >"$STATE/sk.udp" 2>&1 &
	udp=$!
	sk_loop tx &
	txl=$!
	sk_loop rx &
	rxl=$!
	end=$(( $(now_cs) + SOAK_SECS * 100 ))
	i=0
	while [ "$(now_cs)" -lt "$end" ]; do
		what=$(sk_change $i 2>"$STATE/sk.err")
		rc=$?
		[ $rc = 0 ] || fail "change $i ($what) failed: $(tr '\n' ' ' <"$STATE/sk.err")"
		sk_settle || fail "no link or no traffic after change $i ($what)"
		i=$(( i + 1 ))
		sleep 2
	done
	touch "$SK_STOP"
	wait $txl
	wait $rxl
	wait $udp
	udprc=$?
	# Back to the defaults the other checks expect.
	ethtool -L "$l" combined "$(nproc)" 2>/dev/null
	ip link set "$l" mtu 1500 promisc off allmulticast off
	ethtool -K "$l" tso on gro on 2>/dev/null
	sk_settle || fail "no link or no traffic after the soak"
	diag "$i changes in ${SOAK_SECS}s; transfers of $SOAK_MIB MiB:" \
		"tx $(sk_count tx ok) intact, $(sk_count tx err) failed with an error;" \
		"rx $(sk_count rx ok) intact, $(sk_count rx err) failed with an error"
	grep -E " err| corrupt" "$SK_RES" | sort | uniq -c | diag_klog
	grep -E "sender|receiver" "$STATE/sk.udp" | diag_klog
	[ "$(sk_count tx corrupt)$(sk_count rx corrupt)" = 00 ] || fail "a transfer completed with other bytes than sent"
	[ "$(sk_count tx ok)" -ge 1 ] || fail "no intact transfer to the peer"
	[ "$(sk_count rx ok)" -ge 1 ] || fail "no intact transfer from the peer"
	[ $udprc = 0 ] || fail "iperf3 UDP --bidir exited with $udprc: $(tail -n 3 "$STATE/sk.udp" | tr '\n' ' ')"
	[ "$(grep -c 'receiver' "$STATE/sk.udp")" -ge 2 ] || fail "no UDP receiver summary for both directions"
	rx_err=$(( $(cat "/sys/class/net/$l/statistics/rx_errors") - rx_err0 ))
	[ "$rx_err" = 0 ] || fail "$rx_err receive errors counted during the soak"
}

t_sk_queues() {
	l=$(sk_if)
	q=0
	while [ "$q" -lt "$(ls -d "/sys/class/net/$l/queues/rx-"* | wc -l)" ]; do
		rx_queue_check "$l" "$q" 10.0.0.1 10.0.0.2 44000 || fail "RX queue $q after the soak"
		q=$((q + 1))
	done
	c=0
	while [ "$c" -lt "$(nproc)" ] && [ "$c" -lt "$(ls -d "/sys/class/net/$l/queues/tx-"* | wc -l)" ]; do
		tx_queue_check "$l" "$c" 10.0.0.2 || fail "TX queue $c after the soak"
		c=$((c + 1))
	done
}

t_sk_down() {
	peer_teardown
	unload_driver || fail "rmmod"
}

run_case up t_sk_up
run_case run t_sk_run
run_case queues t_sk_queues
run_case unload t_sk_down
