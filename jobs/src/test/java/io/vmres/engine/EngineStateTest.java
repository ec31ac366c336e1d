package io.vmres.engine;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.VmEvent;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The engine as Flink keeps it: serializable mid-recovery, and cheap per heartbeat. */
class EngineStateTest {

    private static EngineFixture crash() {
        EngineFixture f = new EngineFixture(Settings.DEFAULTS);
        for (int i = 1; i <= 4; i++) {
            f.host("h" + i, "r" + i);
            f.vm("v" + i, "h1", 100 * i, null, List.of());
        }
        for (int i = 2; i <= 4; i++) {
            f.beats("h" + i, 0, 200, 1);
        }
        f.beats("h1", 0, 20, 1).power(1, "h1", "on");
        return f;
    }

    @Test
    void engineRestoredFromItsBytesMidRecoveryDecidesTheSame() throws Exception {
        EngineFixture whole = crash().run();

        EngineFixture first = crash();
        first.events.sort((a, b) -> Long.compare(a.ts(), b.ts()));
        List<Event> before =
                first.events.stream().filter(e -> e.ts() <= EngineFixture.at(35)).toList();
        List<Event> after =
                first.events.stream().filter(e -> e.ts() > EngineFixture.at(35)).toList();
        first.events.clear();
        first.events.addAll(before);
        // run up to 35 s by hand (a fence is in flight then), then continue on a copy of the engine
        int i = 0;
        while (i < before.size()) {
            long t = Math.min(before.get(i).ts(), first.engine.nextDue());
            List<Event> now = new ArrayList<>();
            while (i < before.size() && before.get(i).ts() == t) {
                now.add(before.get(i++));
            }
            first.engine.advance(t, now, first);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(first.engine);
        }
        ClusterEngine copy;
        try (ObjectInputStream in =
                new ObjectInputStream(new ByteArrayInputStream(bytes.toByteArray()))) {
            copy = (ClusterEngine) in.readObject();
        }
        EngineFixture second = new EngineFixture(copy);
        second.events.addAll(after);
        second.run();

        List<Object> got = new ArrayList<>(first.commands);
        got.addAll(second.commands);
        assertThat(got).isEqualTo(new ArrayList<Object>(whole.commands));
        assertThat(first.commands("FENCE_HOST")).hasSize(1);
        assertThat(second.commands("RESTART_VM")).hasSize(4);
    }

    @Test
    void anHourOfFourHundredHostsFindsExactlyTheTwoDeadHosts() {
        List<ClusterEngine> engines = new ArrayList<>();
        List<List<Event>> byCluster = new ArrayList<>();
        for (int c = 0; c < 4; c++) {
            engines.add(
                    new ClusterEngine(
                            "c" + c,
                            Settings.DEFAULTS,
                            EngineOptions.of(ClusterEngine.Hypervisor.SIMULATED)));
            byCluster.add(new ArrayList<>());
        }
        long t0 = EngineFixture.T0;
        long seq = 0;
        for (int h = 0; h < 400; h++) {
            List<Event> evs = byCluster.get(h % 4);
            String host = "h" + h;
            evs.add(
                    new HostEvent(
                            t0,
                            seq++,
                            host,
                            "c" + (h % 4),
                            64,
                            262144,
                            "r" + (h % 20),
                            "p" + (h % 20),
                            "kvm",
                            List.of("sd-1"),
                            false,
                            true));
            for (int v = 0; v < 6; v++) {
                evs.add(
                        new VmEvent(
                                t0,
                                seq++,
                                host + "-" + v,
                                host,
                                4,
                                16384,
                                100 * v,
                                true,
                                null,
                                null,
                                List.of("d-" + host + "-" + v),
                                List.of()));
            }
        }
        // both channels every 5 s for an hour, two hosts die half way through
        for (long ms = 0; ms <= 3_600_000; ms += 100) {
            for (int h = (int) ((ms / 100) % 50); h < 400; h += 50) {
                if ((h == 7 || h == 123) && ms > 1_800_000) {
                    continue;
                }
                List<Event> evs = byCluster.get(h % 4);
                evs.add(new Heartbeat(t0 + ms + 1, seq++, "h" + h, "mgmt"));
                evs.add(new Heartbeat(t0 + ms + 1, seq++, "h" + h, "storage"));
                if (ms % 60_000 < 100) {
                    evs.add(
                            new Power(
                                    t0 + ms + 1,
                                    seq++,
                                    "h" + h,
                                    h == 7 || h == 123 ? "off" : "on"));
                }
            }
        }
        int total = byCluster.stream().mapToInt(List::size).sum();
        assertThat(total).isGreaterThan(570_000);
        EngineFixture sink = new EngineFixture(Settings.DEFAULTS);
        for (int c = 0; c < 4; c++) {
            EngineFixture f = new EngineFixture(engines.get(c));
            f.events.addAll(byCluster.get(c));
            f.run();
            sink.commands.addAll(f.commands);
        }
        // speed is measured by `vmres bench replay`, not asserted here
        assertThat(sink.commands("RESTART_VM")).hasSize(12);
        assertThat(sink.commands("RESTART_VM"))
                .extracting(c -> c.host())
                .containsOnly("h7", "h123");
    }
}
