package dev.braid.gateway.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.databind.node.ObjectNode;

import dev.braid.ecmp.lab.Netns;

/**
 * The lab one scenario runs in — two namespaces joined by an underlay veth, with or without a
 * tunnel between them — as the measurements see it: the routes traffic can take, the tunnel
 * processes to charge CPU time to, and (for Braid) how many bytes each path carried. Closing it
 * ends every process it started and deletes its namespaces.
 */
interface BenchLab extends AutoCloseable {
    /** One way from the client namespace to the server namespace; most labs have one. */
    record Route(String key, String label, Netns client, String clientAddress, Netns server, String serverAddress) {
    }

    List<Route> routes();

    /** The tunnel processes of each site ("a", "b"); empty when the kernel alone carries traffic. */
    Map<String, List<Long>> tunnelPids();

    /** Cumulative bytes each path carried from client to server, or an empty array for one-path labs. */
    long[] pathBytes();

    /** What was built: tunnel kind, MTU, worker count, addresses (written to the result file). */
    ObjectNode setup();

    /**
     * Cumulative counts of things going wrong, "SITE.WHAT" → value: the kernel's drops in both
     * namespaces ({@link TroubleCounters}) and, for Braid, paths declared down by the supervisors
     * and the workers' drop counters. Measurements report the difference over a step.
     */
    Map<String, Long> troubleCounters();

    @Override
    void close();

    /** Pids in {@code ns} whose command name is {@code name} (the tunnel's, not iperf3's or ping's). */
    static List<Long> pidsNamed(Netns ns, String name) {
        List<Long> out = new ArrayList<>();
        for (long pid : ns.pids()) {
            if (name.equals(ProcCpu.readProcessName(pid))) {
                out.add(pid);
            }
        }
        return out;
    }
}
