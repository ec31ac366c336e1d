package io.vmres.deploy.dashboard;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * A recording for the dashboard's power-domain view and recovery times. Rack r1 (power domain pd1:
 * h1, h2, with BMCs) loses power at 60 s; their BMCs die with it (unknown) and pd1 reads off at 62
 * s: the two are known down without a fence. h3 (pd2, no BMC) goes silent at 60 s and awaits
 * confirmation until pd2 reads off at 100 s. The restart of v2b fails three times, so the rack's
 * incident ends PARTIAL long after its last VM recovered (at 102 s: 42 s after the failure). In
 * cluster c2, g1 (pd5) goes silent at 60 s, half of its cluster: a telemetry outage, which pd5's
 * reading off at 100 s ends (g1 leaves it as a host failure).
 */
final class PowerRecording {
    private PowerRecording() {}

    static Path write(Path dir) throws IOException {
        List<String> l = new ArrayList<>();
        l.add("{\"type\":\"meta\",\"name\":\"dashboard-power\"}");
        host(l, "h1", "r1", "pd1", true);
        host(l, "h2", "r1", "pd1", true);
        host(l, "h3", "r2", "pd2", false);
        host(l, "h4", "r3", "pd3", true);
        host(l, "h5", "r3", "pd3", true);
        host(l, "h6", "r4", "pd4", true);
        host(l, "h7", "r4", "pd4", true);
        host(l, "h8", "r4", "pd4", true);
        host(l, "h9", "r4", "pd4", true);
        host(l, "g1", "c2", "r5", "pd5", true);
        host(l, "g2", "c2", "r6", "pd6", true);
        vm(l, "v1a", "h1");
        vm(l, "v1b", "h1");
        vm(l, "v2a", "h2");
        vm(l, "v2b", "h2");
        vm(l, "v3a", "h3");
        vm(l, "vg1", "g1");
        for (String pd : List.of("pd1", "pd2", "pd3", "pd4", "pd5", "pd6")) {
            l.add(
                    "{\"type\":\"power-domain\",\"powerDomain\":\""
                            + pd
                            + "\",\"state\":\"on\",\"source\":\"pdu-"
                            + pd
                            + "\",\"ts\":\""
                            + at(1)
                            + "\"}");
        }
        l.add(
                "{\"type\":\"sim-fault\",\"action\":\"RESTART_VM\",\"vm\":\"v2b\",\"count\":3,"
                        + "\"ts\":\""
                        + at(2)
                        + "\"}");
        for (int s = 0; s <= 300; s += 5) {
            for (String h :
                    List.of("h1", "h2", "h3", "h4", "h5", "h6", "h7", "h8", "h9", "g1", "g2")) {
                if (s > 60 && List.of("h1", "h2", "h3", "g1").contains(h)) {
                    continue;
                }
                for (String ch : List.of("mgmt", "storage")) {
                    l.add(
                            "{\"type\":\"heartbeat\",\"host\":\""
                                    + h
                                    + "\",\"channel\":\""
                                    + ch
                                    + "\",\"ts\":\""
                                    + at(s)
                                    + "\"}");
                }
            }
            if (s == 60) {
                for (String h : List.of("h1", "h2")) {
                    l.add(
                            "{\"type\":\"power\",\"host\":\""
                                    + h
                                    + "\",\"state\":\"unknown\",\"ts\":\""
                                    + at(61)
                                    + "\"}");
                }
                l.add(domain("pd1", "off", 62));
            }
            if (s == 100) {
                l.add(domain("pd2", "off", 100));
                l.add(domain("pd5", "off", 100));
            }
            if (s == 150) {
                l.add(domain("pd4", "unknown", 150));
            }
        }
        Path file = dir.resolve("dashboard-power.jsonl");
        Files.write(file, l);
        return file;
    }

    private static String domain(String pd, String state, int s) {
        return "{\"type\":\"power-domain\",\"powerDomain\":\""
                + pd
                + "\",\"state\":\""
                + state
                + "\",\"source\":\"pdu-"
                + pd
                + "\",\"ts\":\""
                + at(s)
                + "\"}";
    }

    private static void host(List<String> l, String h, String rack, String pd, boolean bmc) {
        host(l, h, "c1", rack, pd, bmc);
    }

    private static void host(
            List<String> l, String h, String cluster, String rack, String pd, boolean bmc) {
        l.add(
                "{\"type\":\"host\",\"host\":\""
                        + h
                        + "\",\"cluster\":\""
                        + cluster
                        + "\",\"cpu\":64,\"memMb\":262144,\"rack\":\""
                        + rack
                        + "\",\"powerDomain\":\""
                        + pd
                        + "\",\"bmc\":"
                        + bmc
                        + ",\"ts\":\""
                        + at(0)
                        + "\"}");
    }

    private static void vm(List<String> l, String vm, String host) {
        l.add(
                "{\"type\":\"vm\",\"vm\":\""
                        + vm
                        + "\",\"host\":\""
                        + host
                        + "\",\"cpu\":4,\"memMb\":16384,\"ts\":\""
                        + at(0.5)
                        + "\"}");
    }

    private static String at(double s) {
        return Instant.ofEpochMilli(Records.T0 + Math.round(s * 1000)).toString();
    }
}
