package dev.braid.instance.offload;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;

/** The flyweight against the C layout: ten bytes, u16 fields little-endian, whatever the buffer's order. */
class VirtioNetHeaderTest {
    @Test
    void writesTheKernelLayout() {
        for (ByteBuffer buf : new ByteBuffer[] {ByteBuffer.allocate(13), ByteBuffer.allocateDirect(13).order(ByteOrder.BIG_ENDIAN)}) {
            VirtioNetHeader h = new VirtioNetHeader().wrap(buf, 3);
            h.set(VirtioNetHeader.FLAG_NEEDS_CSUM, VirtioNetHeader.GSO_TCPV6 | VirtioNetHeader.GSO_ECN, 0x0148, 0x05a8, 40, 16);
            byte[] raw = new byte[10];
            buf.get(3, raw);
            assertArrayEquals(TestPackets.vnet(1, 0x84, 0x0148, 0x05a8, 40, 16), raw);
            assertArrayEquals(new byte[] {1, (byte) 0x84, 0x48, 0x01, (byte) 0xa8, 0x05, 40, 0, 16, 0}, raw);
            assertEquals(VirtioNetHeader.GSO_TCPV6, h.gsoType());
            assertEquals(0x84, h.gsoTypeWithEcn());
            assertTrue(h.ecn());
            assertTrue(h.needsChecksum());
            assertEquals(0x0148, h.hdrLen());
            assertEquals(1448, h.gsoSize());
            assertEquals(40, h.csumStart());
            assertEquals(16, h.csumOffset());
        }
    }

    @Test
    void readsLargeFieldValuesUnsigned() {
        ByteBuffer buf = ByteBuffer.wrap(TestPackets.vnet(2, 5, 0xffff, 0xfffe, 0x8000, 0x7fff));
        VirtioNetHeader h = new VirtioNetHeader().wrap(buf, 0);
        assertEquals(0xffff, h.hdrLen());
        assertEquals(0xfffe, h.gsoSize());
        assertEquals(0x8000, h.csumStart());
        assertEquals(0x7fff, h.csumOffset());
        assertFalse(h.needsChecksum());
        assertEquals(VirtioNetHeader.FLAG_DATA_VALID, h.flags());
        assertEquals(VirtioNetHeader.GSO_UDP_L4, h.gsoType());
        h.setNone();
        byte[] raw = new byte[10];
        buf.get(0, raw);
        assertArrayEquals(new byte[10], raw);
    }
}
