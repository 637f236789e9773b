/**
 * The WireGuard protocol for one worker and its one peer, as pure logic: no sockets, no TUN, no
 * threads, no clocks read behind the caller's back (monotonic time is always a {@code nowNanos}
 * argument; randomness and the wall clock are injected). The worker's loop owns one of each:
 * {@link dev.braid.instance.protocol.NoiseHandshake}, {@link dev.braid.instance.protocol.CookieChecker},
 * {@link dev.braid.instance.protocol.CookieGenerator}, {@link dev.braid.instance.protocol.KeypairSet},
 * {@link dev.braid.instance.protocol.Timers} and {@link dev.braid.instance.protocol.TransportCipher}.
 *
 * <h2>Receiving a UDP payload</h2>
 * <pre>
 * switch (Messages.typeOf(buf, off, len))
 *  1 initiation:  checker.checkMac1 (else BAD_MAC1); if under load and !checker.checkMac2:
 *                   send checker.createReply(...), drop as BAD_MAC2;
 *                 handshake.consumeInitiation(.., now) (null = accepted) → handshake.createResponse,
 *                 generator.addMacs, keypairs.install(handshake.deriveKeypair(now)),
 *                 timers.sessionDerived, anyAuthenticatedPacketTraversal/Received; send; anyAuthenticatedPacketSent
 *  2 response:    mac checks as above; handshake.consumeResponse → keypairs.install(deriveKeypair(now)),
 *                 timers.sessionDerived + handshakeComplete + traversal/received; send a keepalive
 *  3 cookie:      receiver index must be handshake.localIndex() or a keypair's → generator.consumeReply
 *  4 transport:   k = keypairs.forLocalIndex(TransportHeader.receiverIndex) (null = UNKNOWN_RECEIVER_INDEX);
 *                 n = cipher.open(k, ..., now) (negative = DropReason.ofCode(n));
 *                 if keypairs.confirm(k): timers.handshakeComplete, send queued packets;
 *                 if timers.rekeyDueOnReceive(keypairs.current(), now): start a handshake;
 *                 timers.anyAuthenticatedPacketTraversal + Received; n == 0 is a keepalive,
 *                 else timers.dataReceived and write the packet (trimmed to its IP length) to the TUN
 * </pre>
 * <h2>Sending a packet from the TUN</h2>
 * <pre>
 * k = keypairs.current(); if k == null or !k.canSend(now): queue it, timers.beginHandshakeInitiation(now, false)
 * else cipher.seal(k, buf, payloadOffset, length, mtu); timers.anyAuthenticatedPacketTraversal, send,
 *      anyAuthenticatedPacketSent, dataSent (not for keepalives); if timers.rekeyDueOnSend(k, now): start a handshake
 * </pre>
 * And on every loop turn: {@code timers.poll(now)} and act on the returned bits.
 */
package dev.braid.instance.protocol;
