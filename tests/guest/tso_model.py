# SPDX-License-Identifier: GPL-2.0
"""The 82576's TCP/UDP segmentation as its datasheet describes it, applied to frames captured
on the peer (tests/guest/tunnel.sh).

QEMU's igb model cannot segment a tunnelled packet, nor cut a UDP datagram into datagrams
(hw/net/net_tx_pkt.c: a GRE or IPIP packet goes out as one oversized frame, a UDP one as IP
fragments of a single datagram). What the driver handed the "hardware" still reaches the
peer, so this tool checks it against what the hardware would have made of it:

  capture IFACE SECONDS OUT   record every frame IFACE receives for SECONDS (AF_PACKET)
  check OUT KIND [MSS]        find the unsegmented packets in OUT, segment each as the
                              82576 does (context: MACLEN 14, IPLEN up to the segmented L4
                              header, L4LEN, MSS), and check every segment is a valid packet
                              carrying the next bytes of the test's payload pattern.

KIND is gre, ipip or vxlan (TCP inside the tunnel, GSO_PARTIAL) or udp (GSO_UDP_L4, MSS the
datagram payload size given on the command line). The payload pattern: byte n of the stream
(or of each datagram's payload run) is n % 251.

What the hardware does per segment (82576 datasheet, 7.2.4 "TCP/UDP Segmentation"): from the
header template it writes the outer IPv4 total length and an identification incremented per
segment and computes the IPv4 header checksum over IPLEN bytes, the checksum field included
(the driver seeds it so that the tunnel headers cancel out); it writes the TCP sequence number
(and flags: FIN and PSH on the last segment only) or the UDP length, and computes the L4
checksum over the L4 header and payload plus the segment's L4 length, the field holding the
driver's pseudo-header seed. Every other header byte is copied as is: with GSO_PARTIAL the
stack has made them those of one MSS-sized segment (inner lengths, GRE/UDP checksums by local
checksum offload).

Checked in each segment: the outer IPv4 header checksum; the GRE checksum if present; the outer
UDP length; the inner IPv4 length and checksum; the TCP or UDP checksum against the inner
pseudo-header; the payload against the pattern. Checked in the unsegmented packet: the driver's
edits (outer total length 0, the L4 checksum field holding the pseudo-header sum without the
length), where QEMU left them intact (not after its IP fragmentation, which rewrites the outer
IPv4 header and the UDP checksum). Exit status 0 if at least one packet was found and every
check passed; the report lists each packet.
"""

import socket
import struct
import sys
import time

ETH_P_ALL = 0x0003
ETH_P_IP = 0x0800
PATTERN = 251


def csum_add(data, acc=0):
    """The 16-bit one's-complement sum of data (zero-padded to even length), plus acc."""
    if len(data) % 2:
        data = bytes(data) + b"\0"
    acc += sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while acc >> 16:
        acc = (acc & 0xFFFF) + (acc >> 16)
    return acc


def fold(acc):
    while acc >> 16:
        acc = (acc & 0xFFFF) + (acc >> 16)
    return acc


def valid(acc):
    """A checksum verifies when the sum over the covered bytes, the field included, is 0xffff."""
    return fold(acc) == 0xFFFF


def capture(iface, seconds, out):
    s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(ETH_P_ALL))
    s.bind((iface, 0))
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.settimeout(0.2)
    end = time.monotonic() + seconds
    n = 0
    with open(out, "wb") as f:
        while time.monotonic() < end:
            try:
                frame, addr = s.recvfrom(65536)
            except socket.timeout:
                continue
            if addr[2] == socket.PACKET_OUTGOING:
                continue
            f.write(struct.pack("!I", len(frame)) + frame)
            n += 1
    print("captured %d frames on %s" % (n, iface))


def frames(path):
    with open(path, "rb") as f:
        data = f.read()
    i = 0
    while i + 4 <= len(data):
        (n,) = struct.unpack_from("!I", data, i)
        yield data[i + 4 : i + 4 + n]
        i += 4 + n


def reassemble(parts):
    """The frame a run of fragments (in arrival order) came from, or None if incomplete."""
    parts = sorted(parts, key=lambda p: p[0])
    if parts[0][0] != 0 or parts[-1][1]:
        return None
    body = b""
    for o, _, fr, ihl in parts:
        if o != len(body):
            return None
        body += fr[14 + ihl : 14 + struct.unpack_from("!H", fr, 16)[0]]
    fr, ihl = parts[0][2], parts[0][3]
    hdr = bytearray(fr[: 14 + ihl])
    struct.pack_into("!H", hdr, 20, 0)
    return bytes(hdr) + body


def ipv4_packets(path):
    """The IPv4 packets of the capture as (frame, reassembled): whole frames as they are,
    fragments (QEMU's UDP "segmentation") reassembled into the frame they came from, with
    the first fragment's headers. A datagram's fragments arrive in order, one datagram after
    another (QEMU sends them so), and datagrams may share an IP ID (0 with DF): a fragment at
    offset 0 starts a new datagram."""
    runs = {}
    for fr in frames(path):
        if len(fr) < 34 or struct.unpack_from("!H", fr, 12)[0] != ETH_P_IP:
            continue
        ihl = (fr[14] & 15) * 4
        off = struct.unpack_from("!H", fr, 20)[0]
        if off & 0x3FFF == 0:
            yield fr, False
            continue
        key = bytes(fr[26:34]) + fr[23:24] + fr[18:20]
        part = ((off & 0x1FFF) * 8, bool(off & 0x2000), fr, ihl)
        if part[0] == 0 and runs.get(key):
            whole = reassemble(runs.pop(key))
            if whole:
                yield whole, True
        runs.setdefault(key, []).append(part)
    for parts in runs.values():
        whole = reassemble(parts)
        if whole:
            yield whole, True


class Layout:
    """Where the headers of an unsegmented packet are: the outer IPv4 header at 14, the
    tunnel, the inner IPv4 header and the segmented L4 header (its offset is MACLEN + IPLEN)."""

    def __init__(self, fr, kind):
        self.outer_ihl = (fr[14] & 15) * 4
        proto = fr[23]
        o = 14 + self.outer_ihl
        self.gre = self.gre_csum = self.udp_tunnel = None
        if kind == "gre":
            if proto != 47:
                raise ValueError("not GRE")
            flags, ptype = struct.unpack_from("!HH", fr, o)
            if ptype != ETH_P_IP or flags & 0x0FFF:
                raise ValueError("GRE flags %#x type %#x" % (flags, ptype))
            self.gre = o
            self.gre_csum = bool(flags & 0x8000)
            o += 4 + 4 * sum(bool(flags & b) for b in (0x8000, 0x2000, 0x1000))
        elif kind == "ipip":
            if proto != 4:
                raise ValueError("not IPIP")
        elif kind == "vxlan":
            if proto != 17 or struct.unpack_from("!H", fr, o + 2)[0] != 4789:
                raise ValueError("not VXLAN")
            self.udp_tunnel = o
            o += 8 + 8 + 14
        elif kind == "udp":
            if proto != 17:
                raise ValueError("not UDP")
        else:
            raise ValueError("unknown kind " + kind)
        self.inner = None
        if kind != "udp":
            self.inner = o
            if fr[o] >> 4 != 4:
                raise ValueError("inner header is not IPv4")
            iproto = fr[o + 9]
            o += (fr[o] & 15) * 4
            if iproto != 6:
                raise ValueError("inner protocol %d, not TCP" % iproto)
            self.l4len = (fr[o + 12] >> 4) * 4
            self.udp = False
        else:
            self.l4len = 8
            self.udp = True
        self.l4 = o
        self.hdr_len = o + self.l4len

    def pseudo(self, fr):
        """The sum of the segmented L4 header's pseudo-header without its length."""
        ip = self.inner if self.inner is not None else 14
        return csum_add(fr[ip + 12 : ip + 20], 17 if self.udp else 6)


def segment(fr, lay, mss):
    """The segments the 82576 cuts from unsegmented packet fr (the descriptor's context as
    the driver plans it: MACLEN 14, IPLEN lay.l4 - 14, L4LEN lay.l4len, MSS mss)."""
    payload = fr[lay.hdr_len :]
    iplen = lay.l4 - 14
    ip_id = struct.unpack_from("!H", fr, 18)[0]
    seq = None if lay.udp else struct.unpack_from("!I", fr, lay.l4 + 4)[0]
    out = []
    n = (len(payload) + mss - 1) // mss
    for i in range(n):
        chunk = payload[i * mss : (i + 1) * mss]
        last = i == n - 1
        seg = bytearray(fr[: lay.hdr_len]) + chunk
        struct.pack_into("!H", seg, 16, iplen + lay.l4len + len(chunk))
        struct.pack_into("!H", seg, 18, (ip_id + i) & 0xFFFF)
        # IPv4 checksum over IPLEN bytes, the (seeded) field included.
        struct.pack_into("!H", seg, 24, ~csum_add(seg[14 : 14 + iplen]) & 0xFFFF)
        l4_len = lay.l4len + len(chunk)
        if lay.udp:
            struct.pack_into("!H", seg, lay.l4 + 4, l4_len)
        else:
            struct.pack_into("!I", seg, lay.l4 + 4, (seq + i * mss) & 0xFFFFFFFF)
            flags = seg[lay.l4 + 13]
            if not last:
                flags &= ~0x09  # FIN, PSH: last segment only
            if i:
                flags &= ~0x80  # CWR: first segment only
            seg[lay.l4 + 13] = flags
        c = ~csum_add(seg[lay.l4 :], l4_len) & 0xFFFF
        if lay.udp and c == 0:
            c = 0xFFFF
        struct.pack_into("!H", seg, lay.l4 + (6 if lay.udp else 16), c)
        out.append((bytes(seg), chunk))
    return out


def check_segment(seg, lay, kind):
    """Problems of one segment as a receiver would see them (empty if none)."""
    bad = []
    if not valid(csum_add(seg[14 : 14 + lay.outer_ihl])):
        bad.append("outer IPv4 checksum")
    if struct.unpack_from("!H", seg, 16)[0] != len(seg) - 14:
        bad.append("outer IPv4 length")
    if lay.gre is not None and lay.gre_csum:
        if not valid(csum_add(seg[lay.gre :])):
            bad.append("GRE checksum")
    if lay.udp_tunnel is not None:
        ulen = struct.unpack_from("!H", seg, lay.udp_tunnel + 4)[0]
        if ulen != len(seg) - lay.udp_tunnel:
            bad.append("outer UDP length %d, segment has %d" % (ulen, len(seg) - lay.udp_tunnel))
    if lay.inner is not None:
        i = lay.inner
        ihl = (seg[i] & 15) * 4
        if not valid(csum_add(seg[i : i + ihl])):
            bad.append("inner IPv4 checksum")
        tot = struct.unpack_from("!H", seg, i + 2)[0]
        if tot != len(seg) - i:
            bad.append("inner IPv4 length %d, segment has %d" % (tot, len(seg) - i))
    l4 = seg[lay.l4 :]
    if lay.udp and struct.unpack_from("!H", l4, 4)[0] != len(l4):
        bad.append("UDP length")
    if not valid(csum_add(l4, lay.pseudo(seg) + len(l4))):
        bad.append("%s checksum" % ("UDP" if lay.udp else "TCP"))
    return bad


def check(path, kind, mss_arg):
    found = ok = 0
    for fr, reassembled in ipv4_packets(path):
        # An unsegmented packet: longer than one frame, or the driver's zero total length.
        if not reassembled and struct.unpack_from("!H", fr, 16)[0] != 0 and len(fr) <= 1514:
            continue
        try:
            lay = Layout(fr, kind)
        except (ValueError, IndexError, struct.error):
            continue
        if len(fr) <= lay.hdr_len:
            continue
        found += 1
        notes = []
        if not reassembled:
            # The driver's edits, as QEMU passed them on.
            if struct.unpack_from("!H", fr, 16)[0] != 0:
                notes.append("outer total length not zeroed")
        field = lay.l4 + (6 if lay.udp else 16)
        l4_field = struct.unpack_from("!H", fr, field)[0]
        if reassembled:
            # QEMU wrote each fragment's outer IPv4 header: the driver's edits to it are gone.
            # Put back what they are (total length 0, the checksum seeded with the headers
            # between the outer IP header and the L4 header) to segment from.
            fr = bytearray(fr)
            struct.pack_into("!H", fr, 16, 0)
            seed = ~csum_add(fr[14 + lay.outer_ihl : lay.l4]) & 0xFFFF
            struct.pack_into("!H", fr, 24, seed)
            fr = bytes(fr)
        if reassembled and lay.udp:
            # QEMU computed the UDP checksum over the whole datagram before fragmenting it:
            # the driver's seed is gone. Segment from the seed the driver is to write.
            fr = bytearray(fr)
            struct.pack_into("!H", fr, field, lay.pseudo(fr))
            fr = bytes(fr)
            lost = " (UDP checksum seed overwritten by QEMU, not checked)"
        elif l4_field != lay.pseudo(fr):
            notes.append(
                "L4 checksum field %#06x, want the pseudo-header sum without length %#06x"
                % (l4_field, lay.pseudo(fr))
            )
            lost = ""
        else:
            lost = ""
        if lay.udp:
            mss = mss_arg
        else:
            # GSO_PARTIAL: the inner IPv4 length is that of one full segment.
            mss = struct.unpack_from("!H", fr, lay.inner + 2)[0] - (lay.l4 - lay.inner) - lay.l4len
        if not mss or mss <= 0:
            notes.append("no MSS")
            segs = []
        else:
            segs = segment(fr, lay, mss)
        # Payload: the stream's bytes n % 251, continuing from the first byte.
        start = None
        for k, (seg, chunk) in enumerate(segs):
            if not chunk:
                notes.append("segment %d empty" % k)
                continue
            bad = check_segment(seg, lay, kind)
            if bad:
                notes.append("segment %d: %s" % (k, ", ".join(bad)))
            if start is None or lay.udp:
                start = chunk[0]
            want = bytes((start + j) % PATTERN for j in range(len(chunk)))
            if chunk != want:
                notes.append("segment %d: payload is not the pattern" % k)
            start = (start + len(chunk)) % PATTERN
        desc = "%s packet of %d bytes%s: %d segments of MSS %d, headers %d (IPLEN %d, L4LEN %d)" % (
            kind,
            len(fr),
            " (reassembled from QEMU's IP fragments; outer IPv4 header not the driver's, not checked)"
            + lost
            if reassembled
            else "",
            len(segs),
            mss or 0,
            lay.hdr_len,
            lay.l4 - 14,
            lay.l4len,
        )
        if notes or not segs:
            print("BAD  " + desc + ": " + "; ".join(notes))
        else:
            ok += 1
            print("ok   " + desc)
    print("%d unsegmented packets, %d valid after segmentation" % (found, ok))
    return found > 0 and ok == found


def main(argv):
    if len(argv) >= 4 and argv[0] == "capture":
        capture(argv[1], float(argv[2]), argv[3])
        return 0
    if len(argv) >= 3 and argv[0] == "check":
        return 0 if check(argv[1], argv[2], int(argv[3]) if len(argv) > 3 else 0) else 1
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
