package dev.braid.gateway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class WireGuardPublicKeyTest {
    private static WireGuardPublicKey keyStartingWith(int firstByte) {
        byte[] key = new byte[32];
        key[0] = (byte) firstByte;
        key[31] = 1;
        return WireGuardPublicKey.of(key);
    }

    @Test
    void orderIsUnsignedBytewise() {
        // 0x80 is negative as a Java byte: a signed comparison would put it first
        assertTrue(keyStartingWith(0x01).compareTo(keyStartingWith(0x80)) < 0);
        assertTrue(keyStartingWith(0xff).compareTo(keyStartingWith(0x7f)) > 0);
        assertEquals(0, keyStartingWith(0x42).compareTo(keyStartingWith(0x42)));
    }

    @Test
    void textIsNormalisedAndValidated() {
        WireGuardPublicKey key = keyStartingWith(7);
        assertEquals(key, new WireGuardPublicKey("  " + key.base64() + "\n"));
        assertThrows(IllegalArgumentException.class, () -> new WireGuardPublicKey("abc"));
    }

    @Test
    void bytesAreACopy() {
        WireGuardPublicKey key = keyStartingWith(7);
        key.bytes()[0] = 99;
        assertEquals(7, key.bytes()[0]);
    }
}
