#!/usr/bin/env python3
"""Independent reference for Braid's WireGuard protocol tests.

Implements the WireGuard handshake (Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s), mac1/mac2, the cookie
reply and transport-data packets straight from the WireGuard paper (sections 5.4 and 6) with the
`cryptography` package and hashlib's BLAKE2s -- none of Braid's Java code or Bouncy Castle is
involved -- and prints the exchanged bytes as JSON. The Java tests read the committed output
(instance/src/test/resources/dev/braid/instance/protocol/wireguard-vectors.json) and must produce
the same bytes; Python is not needed to run them.

Regenerate after changing an input here:
    python3 instance/src/test/python/wireguard_vectors.py \
        > instance/src/test/resources/dev/braid/instance/protocol/wireguard-vectors.json

Everything random in a real handshake (static and ephemeral keys, sender indices, the wall clock,
the cookie secret and nonce) is a fixed input below, so the output is fully deterministic.
"""

import hashlib
import hmac
import json
import struct
import sys

from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms
from cryptography.hazmat.primitives.ciphers.aead import ChaCha20Poly1305
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat

CONSTRUCTION = b"Noise_IKpsk2_25519_ChaChaPoly_BLAKE2s"
IDENTIFIER = b"WireGuard v1 zx2c4 Jason@zx2c4.com"
LABEL_MAC1 = b"mac1----"
LABEL_COOKIE = b"cookie--"
TAI64_BASE = 0x400000000000000A
# wireguard-go (tai64n.go) clears the low 24 bits of the nanoseconds so a timestamp does not leak the
# sender's clock at full resolution; the kernel rounds similarly. The receiver only compares.
TAI64N_WHITENER_MASK = 0xFFFFFF


def hash_(*parts):
    h = hashlib.blake2s()
    for p in parts:
        h.update(p)
    return h.digest()


def mac(key, data):
    return hashlib.blake2s(data, key=key, digest_size=16).digest()


def hmac_(key, data):
    return hmac.new(key, data, hashlib.blake2s).digest()


def kdf(n, key, data):
    tau0 = hmac_(key, data)
    out, prev = [], b""
    for i in range(1, n + 1):
        prev = hmac_(tau0, prev + bytes([i]))
        out.append(prev)
    return out


def aead_seal(key, counter, plaintext, ad):
    return ChaCha20Poly1305(key).encrypt(b"\x00" * 4 + struct.pack("<Q", counter), plaintext, ad)


def aead_open(key, counter, ciphertext, ad):
    return ChaCha20Poly1305(key).decrypt(b"\x00" * 4 + struct.pack("<Q", counter), ciphertext, ad)


def hchacha20(key, nonce16):
    """HChaCha20 without writing the ChaCha rounds again: a ChaCha20 keystream block is
    rounds(state) + state; HChaCha20 is words 0..3 and 12..15 of rounds(state), and with
    `cryptography`'s 16-byte ChaCha20 nonce (counter || nonce) the state's words 12..15 are exactly
    the 16 HChaCha20 input bytes."""
    block = Cipher(algorithms.ChaCha20(key, nonce16), mode=None).encryptor().update(b"\x00" * 64)
    ks = struct.unpack("<16I", block)
    state = struct.unpack("<4I", b"expand 32-byte k") + struct.unpack("<8I", key) + struct.unpack("<4I", nonce16)
    words = [(ks[i] - state[i]) & 0xFFFFFFFF for i in (0, 1, 2, 3, 12, 13, 14, 15)]
    return struct.pack("<8I", *words)


def xaead_seal(key, nonce24, plaintext, ad):
    subkey = hchacha20(key, nonce24[:16])
    return ChaCha20Poly1305(subkey).encrypt(b"\x00" * 4 + nonce24[16:], plaintext, ad)


def public_of(private):
    return X25519PrivateKey.from_private_bytes(private).public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)


def dh(private, public):
    return X25519PrivateKey.from_private_bytes(private).exchange(X25519PublicKey.from_public_bytes(public))


def tai64n(unix_seconds, nanos):
    return struct.pack(">QI", TAI64_BASE + unix_seconds, nanos & ~TAI64N_WHITENER_MASK & 0xFFFFFFFF)


def fixed(label, n=32):
    """Deterministic 'random' bytes, so the vectors never change unless an input here does."""
    return hashlib.sha256(b"braid test vector: " + label).digest()[:n]


def clamp(k):
    k = bytearray(k)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    return bytes(k)


def add_macs(msg_without_macs, receiver_public, cookie):
    mac1 = mac(hash_(LABEL_MAC1, receiver_public), msg_without_macs)
    mac2 = mac(cookie, msg_without_macs + mac1) if cookie is not None else b"\x00" * 16
    return msg_without_macs + mac1 + mac2


def handshake(case, psk):
    i_static = clamp(fixed(b"initiator static private"))
    r_static = clamp(fixed(b"responder static private"))
    i_eph = fixed(b"initiator ephemeral private " + case.encode())
    r_eph = fixed(b"responder ephemeral private " + case.encode())
    i_static_pub, r_static_pub = public_of(i_static), public_of(r_static)
    i_index, r_index = 0x1A2B3C4D, 0xF00DCAFE
    unix_seconds, nanos = 1_700_000_000, 123_456_789
    q = psk if psk is not None else b"\x00" * 32

    # --- initiator: handshake initiation (paper 5.4.2) ---
    c = hash_(CONSTRUCTION)
    h = hash_(c, IDENTIFIER)
    h = hash_(h, r_static_pub)
    i_eph_pub = public_of(i_eph)
    (c,) = kdf(1, c, i_eph_pub)
    h = hash_(h, i_eph_pub)
    c, k = kdf(2, c, dh(i_eph, r_static_pub))
    enc_static = aead_seal(k, 0, i_static_pub, h)
    h = hash_(h, enc_static)
    c, k = kdf(2, c, dh(i_static, r_static_pub))
    timestamp = tai64n(unix_seconds, nanos)
    enc_timestamp = aead_seal(k, 0, timestamp, h)
    h = hash_(h, enc_timestamp)
    body = struct.pack("<II", 1, i_index) + i_eph_pub + enc_static + enc_timestamp
    initiation = add_macs(body, r_static_pub, None)
    assert len(initiation) == 148

    # --- responder: consume it (independently, from the wire bytes) ---
    rc = hash_(CONSTRUCTION)
    rh = hash_(hash_(rc, IDENTIFIER), r_static_pub)
    e_i = initiation[8:40]
    (rc,) = kdf(1, rc, e_i)
    rh = hash_(rh, e_i)
    rc, k = kdf(2, rc, dh(r_static, e_i))
    assert aead_open(k, 0, initiation[40:88], rh) == i_static_pub
    rh = hash_(rh, initiation[40:88])
    rc, k = kdf(2, rc, dh(r_static, i_static_pub))
    assert aead_open(k, 0, initiation[88:116], rh) == timestamp
    rh = hash_(rh, initiation[88:116])
    assert (rc, rh) == (c, h)

    # --- responder: handshake response (paper 5.4.3) ---
    r_eph_pub = public_of(r_eph)
    (rc,) = kdf(1, rc, r_eph_pub)
    rh = hash_(rh, r_eph_pub)
    (rc,) = kdf(1, rc, dh(r_eph, e_i))
    (rc,) = kdf(1, rc, dh(r_eph, i_static_pub))
    rc, tau, k = kdf(3, rc, q)
    rh = hash_(rh, tau)
    enc_empty = aead_seal(k, 0, b"", rh)
    rh = hash_(rh, enc_empty)
    body = struct.pack("<III", 2, r_index, i_index) + r_eph_pub + enc_empty
    response = add_macs(body, i_static_pub, None)
    assert len(response) == 92

    # --- initiator: consume the response ---
    e_r = response[12:44]
    (c,) = kdf(1, c, e_r)
    h = hash_(h, e_r)
    (c,) = kdf(1, c, dh(i_eph, e_r))
    (c,) = kdf(1, c, dh(i_static, e_r))
    c, tau, k = kdf(3, c, q)
    h = hash_(h, tau)
    assert aead_open(k, 0, response[44:60], h) == b""

    # --- transport keys (paper 5.4.5) ---
    i_send, i_recv = kdf(2, c, b"")
    r_recv, r_send = kdf(2, rc, b"")
    assert (i_send, i_recv) == (r_recv, r_send)

    # --- transport data (paper 5.4.6): initiator -> responder, padded to 16 bytes ---
    payload = bytes(range(0x45, 0x45 + 20))
    padded = payload + b"\x00" * ((-len(payload)) % 16)
    counter = 0
    data = struct.pack("<IIQ", 4, r_index, counter) + aead_seal(i_send, counter, padded, b"")
    keepalive_counter = 1
    keepalive = struct.pack("<IIQ", 4, i_index, keepalive_counter) + aead_seal(r_send, keepalive_counter, b"", b"")

    # --- cookie reply (paper 5.4.7): the responder, under load, answers the initiation ---
    cookie_secret = fixed(b"cookie secret " + case.encode())
    source_ip, source_port = bytes([192, 0, 2, 1]), 51820
    # The checker's own encoding of the source (address bytes, then the port little-endian, as
    # wireguard-go's portable endpoint does); it never leaves the checker.
    source_bytes = source_ip + struct.pack("<H", source_port)
    cookie = mac(cookie_secret, source_bytes)
    cookie_nonce = fixed(b"cookie nonce " + case.encode(), 24)
    initiation_mac1 = initiation[116:132]
    enc_cookie = xaead_seal(hash_(LABEL_COOKIE, r_static_pub), cookie_nonce, cookie, initiation_mac1)
    cookie_reply = struct.pack("<II", 3, i_index) + cookie_nonce + enc_cookie
    assert len(cookie_reply) == 64
    # The initiator's retry carries mac2 over the same body.
    initiation_with_mac2 = add_macs(initiation[:116], r_static_pub, cookie)

    return {
        "initiatorStaticPrivate": i_static.hex(),
        "initiatorStaticPublic": i_static_pub.hex(),
        "responderStaticPrivate": r_static.hex(),
        "responderStaticPublic": r_static_pub.hex(),
        "initiatorEphemeralPrivate": i_eph.hex(),
        "responderEphemeralPrivate": r_eph.hex(),
        "presharedKey": psk.hex() if psk is not None else None,
        "initiatorIndex": i_index,
        "responderIndex": r_index,
        "unixSeconds": unix_seconds,
        "nanos": nanos,
        "timestamp": timestamp.hex(),
        "initiation": initiation.hex(),
        "response": response.hex(),
        "initiatorSendKey": i_send.hex(),
        "initiatorReceiveKey": i_recv.hex(),
        "dataPayload": payload.hex(),
        "dataCounter": counter,
        "dataPacket": data.hex(),
        "keepaliveCounter": keepalive_counter,
        "keepalivePacket": keepalive.hex(),
        "cookieSecret": cookie_secret.hex(),
        "cookieSourceAddress": source_ip.hex(),
        "cookieSourcePort": source_port,
        "cookie": cookie.hex(),
        "cookieNonce": cookie_nonce.hex(),
        "cookieReply": cookie_reply.hex(),
        "initiationWithMac2": initiation_with_mac2.hex(),
    }


def primitives():
    key = bytes(range(32))
    return {
        "hchacha20Key": key.hex(),
        "hchacha20Nonce": "000000090000004a0000000031415927",
        "hchacha20Output": hchacha20(key, bytes.fromhex("000000090000004a0000000031415927")).hex(),
        "hmacKey": b"braid hmac key".hex(),
        "hmacData": b"braid hmac data".hex(),
        "hmacBlake2s": hmac_(b"braid hmac key", b"braid hmac data").hex(),
        "kdf3": [t.hex() for t in kdf(3, fixed(b"kdf key"), fixed(b"kdf input", 17))],
        "kdfKey": fixed(b"kdf key").hex(),
        "kdfInput": fixed(b"kdf input", 17).hex(),
    }


def main():
    out = {
        "generatedBy": "instance/src/test/python/wireguard_vectors.py",
        "primitives": primitives(),
        "handshakes": {
            "noPresharedKey": handshake("no psk", None),
            "presharedKey": handshake("psk", fixed(b"preshared key")),
        },
    }
    json.dump(out, sys.stdout, indent=2, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
