package io.vmres.engine;

import static io.vmres.engine.EngineFixture.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.out.HostStateOut;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** The fleet view a cluster engine tells dashboards: when, and in which state, a host is told. */
class HostStatesTest {
    private static final Settings S = Settings.DEFAULTS;

    private static EngineFixture fleet(int n) {
        EngineFixture f = new EngineFixture(S);
        for (int i = 1; i <= n; i++) {
            f.host("h" + i, "r" + i);
        }
        return f;
    }

    private static void alive(EngineFixture f, String... hosts) {
        for (String h : hosts) {
            f.beats(h, 0, 120, 1);
        }
    }

    private static List<HostStateOut> of(EngineFixture f, String host) {
        return f.hostStates.stream().filter(s -> s.host().equals(host)).toList();
    }

    /** The states a host went through, each once (a VM count change keeps the state). */
    private static List<String> states(EngineFixture f, String host) {
        List<String> l = new java.util.ArrayList<>();
        for (HostStateOut s : of(f, host)) {
            if (l.isEmpty() || !l.get(l.size() - 1).equals(s.state())) {
                l.add(s.state());
            }
        }
        return l;
    }

    @Test
    void everyHostIsToldOnceWhenItFirstAppearsWithItsVmsAndCapacity() {
        EngineFixture f = fleet(3).vm("v1", "h1", 500, null, List.of());
        alive(f, "h1", "h2", "h3");
        f.run();
        // h1 at 0 s with no VM, again when v1 arrives at 0.5 s; then nothing changes: no record
        // repeated for the heartbeats
        assertThat(f.hostStates)
                .extracting(HostStateOut::host)
                .containsExactly("h1", "h2", "h3", "h1");
        assertThat(of(f, "h1").get(0).vms()).isZero();
        HostStateOut h1 = of(f, "h1").get(1);
        assertThat(h1.ts()).isEqualTo(at(0.5));
        assertThat(h1.state()).isEqualTo("healthy");
        assertThat(h1.cluster()).isEqualTo("c1");
        assertThat(h1.rack()).isEqualTo("r1");
        assertThat(h1.vms()).isEqualTo(1);
        assertThat(h1.cpuUsed()).isEqualTo(4);
        assertThat(h1.cpuTotal()).isEqualTo(64);
        assertThat(h1.memUsedMb()).isEqualTo(4 * 4096);
        assertThat(of(f, "h2").get(0).vms()).isZero();
    }

    @Test
    void crashedHostGoesSuspectFailedFencedAndItsVmsMoveToAnother() {
        EngineFixture f = fleet(4).vm("v1", "h1", 500, null, List.of());
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 20, 1).power(1, "h1", "on").run();
        // lost at 30 s, declared at 32 s, fence answered at 37 s
        assertThat(states(f, "h1")).containsExactly("healthy", "suspect", "failed", "fenced");
        assertThat(of(f, "h1"))
                .filteredOn(s -> !s.state().equals("healthy"))
                .extracting(HostStateOut::ts)
                .startsWith(at(30), at(32), at(37));
        // the restart takes v1 off h1 and onto h2: both told with their new VM counts
        assertThat(f.incidents.get(f.incidents.size() - 1).state()).isEqualTo("RECOVERED");
        assertThat(last(f, "h1").vms()).isZero();
        assertThat(last(f, "h1").cpuUsed()).isZero();
        String target = f.commands("RESTART_VM").get(0).target();
        assertThat(last(f, target).vms()).isEqualTo(1);
        assertThat(last(f, target).cpuUsed()).isEqualTo(4);
    }

    @Test
    void hostWhosePowerReadsOffIsFailedNotFenced() {
        EngineFixture f = fleet(4).vm("v1", "h1", 500, null, List.of());
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 20, 1).power(25, "h1", "off").run();
        assertThat(states(f, "h1")).containsExactly("healthy", "suspect", "failed");
    }

    @Test
    void hostLosingOnlyItsManagementNetworkIsIsolated() {
        EngineFixture f = fleet(4);
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 20, 1, "mgmt").beats("h1", 0, 120, 1, "storage").run();
        assertThat(states(f, "h1")).containsExactly("healthy", "suspect", "isolated");
    }

    @Test
    void hostInMaintenanceIsToldSoAndHealthyAfterwards() {
        EngineFixture f = fleet(2).vm("v1", "h1", 500, null, List.of());
        alive(f, "h1", "h2");
        f.maintenance(10, "h1").maintenanceEnd(60, "h1").run();
        assertThat(states(f, "h1")).containsExactly("healthy", "maintenance", "healthy");
        // drained: v1 left h1 for h2 during the maintenance
        assertThat(of(f, "h1"))
                .filteredOn(s -> s.state().equals("maintenance"))
                .last()
                .extracting(HostStateOut::vms)
                .isEqualTo(0);
    }

    @Test
    void atMostOneRecordPerHostPerInstant() {
        EngineFixture f =
                fleet(4).vm("v1", "h1", 500, null, List.of()).vm("v2", "h1", 400, null, List.of());
        alive(f, "h2", "h3", "h4");
        f.beats("h1", 0, 20, 1).power(1, "h1", "on").run();
        Map<String, Long> perHostInstant =
                f.hostStates.stream()
                        .collect(
                                Collectors.groupingBy(
                                        s -> s.host() + "@" + s.ts(),
                                        TreeMap::new,
                                        Collectors.counting()));
        assertThat(perHostInstant.values()).containsOnly(1L);
        // consecutive records of a host always differ
        for (String h : List.of("h1", "h2", "h3", "h4")) {
            List<HostStateOut> told = of(f, h);
            for (int i = 1; i < told.size(); i++) {
                assertThat(told.get(i).sameAs(told.get(i - 1))).isFalse();
            }
        }
    }

    private static HostStateOut last(EngineFixture f, String host) {
        List<HostStateOut> l = of(f, host);
        return l.get(l.size() - 1);
    }
}
