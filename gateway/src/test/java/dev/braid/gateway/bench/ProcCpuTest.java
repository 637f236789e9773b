package dev.braid.gateway.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

import org.junit.jupiter.api.Test;

class ProcCpuTest {
    /** A real /proc/PID/stat layout: utime (14) = 1234, stime (15) = 567, cutime/cstime after them. */
    private static String statLine(String comm, long utime, long stime) {
        return "4242 (" + comm + ") S 1 4242 4242 0 -1 4194560 5000 0 0 0 " + utime + " " + stime
                + " 77 88 20 0 19 0 123456 1000000 500 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 17 1 0 0 0 0 0";
    }

    @Test
    void processTicksAreUtimePlusStime() {
        assertEquals(1234 + 567, ProcCpu.processTicks(statLine("java", 1234, 567)));
    }

    @Test
    void commandNamesWithSpacesAndParenthesesDoNotShiftTheFields() {
        String line = statLine("we(ird) na me)", 10, 5);
        assertEquals(15, ProcCpu.processTicks(line));
        assertEquals("we(ird) na me)", ProcCpu.processName(line));
    }

    @Test
    void aTruncatedLineIsRefusedWithTheReason() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ProcCpu.processTicks("12 (x) S 1 2 3"));
        assertTrue(e.getMessage().contains("too short"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> ProcCpu.processTicks("no parentheses here"));
    }

    @Test
    void systemTicksSplitBusyIdleAndSteal() {
        String procStat = "cpu  100 5 40 1000 7 3 11 9 0 0\ncpu0 50 2 20 500 3 1 5 4 0 0\nintr 1 2 3\n";
        ProcCpu.SystemTicks t = ProcCpu.systemTicks(procStat);
        assertEquals(100 + 5 + 40 + 3 + 11, t.busy());
        assertEquals(9, t.steal());
        assertEquals(100 + 5 + 40 + 1000 + 7 + 3 + 11 + 9, t.total());
        ProcCpu.SystemTicks later = ProcCpu.systemTicks("cpu  150 5 60 1100 7 3 11 19 0 0\n");
        assertEquals(new ProcCpu.SystemTicks(70, 10, 180), later.minus(t));
    }

    @Test
    void windowChargesDeltasNewcomersInFullAndReportsVanishedProcesses() {
        Map<Long, Long> ticks = new HashMap<>(Map.of(1L, 100L, 2L, 50L, 3L, 10L));
        ProcCpu.Window w = new ProcCpu.Window(pid -> ticks.containsKey(pid) ? OptionalLong.of(ticks.get(pid)) : OptionalLong.empty());
        w.start(Map.of("a", List.of(1L, 2L), "b", List.of(3L)));
        ticks.put(1L, 160L);  // +60
        ticks.remove(2L);     // exited: its time is lost
        ticks.put(4L, 25L);   // started in the window: all of it counts
        ticks.put(3L, 12L);   // +2
        ProcCpu.Window.Usage u = w.finish(Map.of("a", List.of(1L, 4L), "b", List.of(3L)));
        assertEquals(85L, u.ticksByGroup().get("a"));
        assertEquals(2L, u.ticksByGroup().get("b"));
        assertEquals(87L, u.totalTicks());
        assertEquals(List.of(2L), u.vanished());
        assertEquals(List.of(4L), u.appeared());
    }

    @Test
    void readsThisJvmsOwnTicks() {
        assertTrue(ProcCpu.readProcessTicks(ProcessHandle.current().pid()).isPresent());
        assertEquals("", ProcCpu.readProcessName(Long.MAX_VALUE));
    }
}
