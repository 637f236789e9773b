package dev.braid.pinning;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CpuListTest {

    @Test
    void parsesRangesSinglesAndMixtures() {
        assertEquals(List.of(0, 1, 2, 3, 8, 10, 11), List.copyOf(CpuList.parse("0-3,8,10-11")));
        assertEquals(List.of(5), List.copyOf(CpuList.parse("5")));
        assertEquals(List.of(0, 6), List.copyOf(CpuList.parse("0,6")));
        assertEquals(List.of(2, 3, 4, 5, 6, 7), List.copyOf(CpuList.parse("2-7")));
    }

    @Test
    void emptyAndBlankTextIsTheEmptyList() {
        assertTrue(CpuList.parse("").isEmpty());
        assertTrue(CpuList.parse("\n").isEmpty());
        assertTrue(CpuList.parse("  \t\n ").isEmpty());
    }

    @Test
    void ignoresWhitespaceAndTheTrailingNewlineSysfsPrints() {
        assertEquals(List.of(0, 1, 2, 3), List.copyOf(CpuList.parse("0-3\n")));
        assertEquals(List.of(0, 1, 2, 3, 5), List.copyOf(CpuList.parse(" 0 - 3 , 5 \n")));
        assertEquals(List.of(0, 1), List.copyOf(CpuList.parse("\t0-1\r\n")));
    }

    @Test
    void overlappingAndUnorderedItemsAreMerged() {
        assertEquals(List.of(0, 1, 2, 3, 4, 7), List.copyOf(CpuList.parse("7,2-4,0-3,1")));
    }

    @Test
    void strideTakesTheFirstCpusOfEachGroup() {
        assertEquals(List.of(0, 1, 4, 5, 8, 9, 12, 13), List.copyOf(CpuList.parse("0-15:2/4")));
        assertEquals(List.of(100, 101, 125, 126), List.copyOf(CpuList.parse("100-149:2/25")));
        assertEquals(List.of(1, 3, 5), List.copyOf(CpuList.parse("1-6:1/2")));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0-", "-1", "3-1", "a", "0,,1", "1,", ",1", "0-x", "1.5", "0-70000", "70000",
            "0-7:3/2", "0-7:0/2", "0-7:2", "5:1/2", "0-7:a/2", "0x3", "+1", "1 2"})
    void refusesMalformedLists(String text) {
        IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () -> CpuList.parse(text));
        assertTrue(error.getMessage().contains("CPU list"), error.getMessage());
    }

    @Test
    void formatsLikeTheKernel() {
        assertEquals("0-3,8,10-11", CpuList.format(Set.of(0, 1, 2, 3, 8, 10, 11)));
        assertEquals("0-1", CpuList.format(List.of(1, 0)));
        assertEquals("0,2,4", CpuList.format(List.of(4, 2, 0, 2)));
        assertEquals("", CpuList.format(Set.of()));
        assertEquals("7", CpuList.format(Set.of(7)));
    }

    @Test
    void formatAndParseRoundTrip() {
        TreeSet<Integer> cpus = new TreeSet<>(List.of(0, 1, 2, 5, 9, 10, 11, 12, 40, 63, 64));
        assertEquals(cpus, CpuList.parse(CpuList.format(cpus)));
    }
}
