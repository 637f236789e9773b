/**
 * TUN offloads for the worker's data path, in user space: a TUN opened with {@code IFF_VNET_HDR} and
 * {@code TUNSETOFFLOAD} hands the worker TCP (and UDP) "super-packets" of up to 64 KB behind a
 * {@link dev.braid.instance.offload.VirtioNetHeader}, and takes such super-packets back, so one
 * syscall moves dozens of packets each way (the change that took wireguard-go past 10 Gbit/s).
 *
 * <ul>
 *   <li>{@link dev.braid.instance.offload.TcpSegmenter} — send side: one read → MSS-sized packets,
 *       each at an offset of a caller slot, checksums complete, ready to encrypt in place.</li>
 *   <li>{@link dev.braid.instance.offload.TcpCoalescer} — receive side: decrypted packets of a batch →
 *       TCP super-packets (GSO) or single packets, handed to a {@link dev.braid.instance.offload.TunPacketSink}.</li>
 *   <li>{@link dev.braid.instance.offload.Checksums} — RFC 1071 sums, 8 bytes per load; pseudo-headers; RFC 1624.</li>
 *   <li>{@link dev.braid.instance.offload.OffloadDropReason} — why a read was refused, one counter each.</li>
 * </ul>
 *
 * No I/O here and no allocation per packet; one instance of each per worker thread.
 */
package dev.braid.instance.offload;
