package dev.braid.ecmp.lab.impair;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.List;
import org.junit.jupiter.api.Test;

class ImpairmentTest {
    @Test
    void theProfilesAreTheThesisTable() {
        // delay ms, jitter ms, loss %, reorder %, correlation %
        double[][] table = {{0, 0, 0, 0, 0}, {2, 2, 0.25, 0.5, 25}, {4, 7, 1, 2.5, 50}, {6, 15, 2.5, 5, 50}};
        Profile[] profiles = {Profile.BASELINE, Profile.LOW, Profile.MEDIUM, Profile.HIGH};
        for (int i = 0; i < profiles.length; i++) {
            Impairment imp = profiles[i].impairment();
            double[] row = table[i];
            assertEquals(row[0], imp.delayNanos() / 1e6, 1e-9, profiles[i] + " delay");
            assertEquals(row[1], imp.jitterNanos() / 1e6, 1e-9, profiles[i] + " jitter");
            assertEquals(row[2], imp.lossPercent(), 1e-9);
            assertEquals(row[3], imp.reorderPercent(), 1e-9);
            assertEquals(row[4], imp.lossCorrelationPercent(), 1e-9);
            assertEquals(row[4], imp.reorderCorrelationPercent(), 1e-9);
            assertEquals(row[4], imp.jitterCorrelationPercent(), 1e-9);
        }
        assertEquals("none", Profile.BASELINE.impairment().describe());
        assertEquals("delay 4.00ms 7.00ms 50.0% loss 1.00% 50.0% reorder 2.50% 50.0%",
                Profile.MEDIUM.impairment().describe());
    }

    @Test
    void outOfRangeValuesAreRefusedWithTheFieldName() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Impairment(0, 0, 0, 101, 0, 0, 0));
        assertTrue(e.getMessage().contains("lossPercent"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new Impairment(-1, 0, 0, 0, 0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> new Impairment(0, 0, 0, 0, 0, Double.NaN, 0));
        assertThrows(IllegalArgumentException.class, () -> Impairment.netemLike(-2, 0, 0, 0, 0));
    }

    @Test
    void aRelayConfigRefusesWhatCannotWork() throws Exception {
        RelayConfig.Side a = new RelayConfig.Side(InetAddress.getByName("10.0.0.1"), InetAddress.getByName("10.0.0.2"));
        RelayConfig.Side b = new RelayConfig.Side(InetAddress.getByName("10.0.1.1"), InetAddress.getByName("10.0.1.2"));
        RelayConfig.Side sameRelayAddress = new RelayConfig.Side(InetAddress.getByName("10.0.0.1"),
                InetAddress.getByName("10.0.1.2"));
        assertEquals(List.of(51820, 51821, 51822), RelayConfig.of(null, a, b, RelayConfig.portRange(51820, 3)).ports());
        assertThrows(IllegalArgumentException.class, () -> RelayConfig.of(null, a, b, List.of()));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> RelayConfig.of(null, a, b, List.of(1, 2, 1)))
                .getMessage().contains("twice"));
        assertThrows(IllegalArgumentException.class, () -> RelayConfig.of(null, a, b, List.of(70000)));
        assertThrows(IllegalArgumentException.class, () -> RelayConfig.of(null, a, sameRelayAddress, List.of(1)));
        assertThrows(IllegalArgumentException.class, () -> RelayConfig.of(" ", a, b, List.of(1)));
    }
}
