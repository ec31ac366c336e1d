package io.vmres.engine;

import static io.vmres.engine.EngineFixture.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.Event;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.state.EngineState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Hosts whose heartbeat partition stalled (the live job's telemetry-stalled and -resumed notes) are
 * not judged until their telemetry is read again; their silence counts from then.
 */
class TelemetryStallTest {
    /**
     * Eight hosts beating every second. h1 and h2 are on a partition that stalls from 20 s to 80 s:
     * h1's heartbeats come again at 80 s (their append time), h2's never (it died meanwhile). h3
     * died at 5 s, before the stall, and is on the same partition.
     */
    private static EngineFixture stallOf60s(boolean noted) {
        EngineFixture f = new EngineFixture(Settings.DEFAULTS);
        for (int i = 1; i <= 8; i++) {
            f.host("h" + i, "r" + i);
        }
        f.vm("v2", "h2", 500, null, List.of()).vm("v3", "h3", 500, null, List.of());
        f.beats("h1", 0, 20, 1).beats("h1", 80, 300, 1);
        f.beats("h2", 0, 20, 1);
        f.beats("h3", 0, 5, 1);
        for (int i = 4; i <= 8; i++) {
            f.beats("h" + i, 0, 300, 1);
        }
        if (noted) {
            for (String h : List.of("h1", "h2", "h3")) {
                f.stall(20, h, false).stall(80, h, true);
            }
        }
        return f;
    }

    private static List<IncidentOut> naming(EngineFixture f, String host) {
        return f.incidents.stream().filter(x -> x.hosts().contains(host)).toList();
    }

    @Test
    void withoutTheNotesTheStalledHostsFail() {
        EngineFixture f = stallOf60s(false).run();
        // lost at 30 s, classified at 32 s: the stall alone fails them
        assertThat(naming(f, "h1")).first().extracting(IncidentOut::ts).isEqualTo(at(32));
        assertThat(f.commands("FENCE_HOST")).extracting(c -> c.host()).contains("h1", "h2");
    }

    @Test
    void aStalledHostIsNotDeclaredAndOneThatDiedIsDeclaredAfterTheResume() {
        EngineFixture f = stallOf60s(true).run();

        assertThat(naming(f, "h1")).isEmpty();
        assertThat(f.commands).extracting(c -> c.host()).doesNotContain("h1");

        // silence counted from the resume: lost at 90 s, classified at 92 s
        IncidentOut h2 = naming(f, "h2").get(0);
        assertThat(h2.kind()).isEqualTo("HOST_FAILURE");
        assertThat(h2.hosts()).containsExactly("h2");
        assertThat(h2.ts()).isEqualTo(at(92));
        assertThat(f.commands("FENCE_HOST"))
                .filteredOn(c -> c.host().equals("h2"))
                .singleElement()
                .satisfies(c -> assertThat(c.ts()).isEqualTo(at(92)));
        assertThat(f.commands("RESTART_VM")).extracting(c -> c.vm()).contains("v2");

        // failed before the stall (lost at 15 s, classified at 17 s): the notes change nothing
        List<IncidentOut> h3 = naming(f, "h3");
        assertThat(h3.get(0).ts()).isEqualTo(at(17));
        assertThat(h3).extracting(IncidentOut::incidentId).containsOnly(h3.get(0).incidentId());
        assertThat(f.commands("FENCE_HOST"))
                .filteredOn(c -> c.host().equals("h3"))
                .singleElement()
                .satisfies(c -> assertThat(c.ts()).isEqualTo(at(17)));
        assertThat(f.commands("RESTART_VM")).extracting(c -> c.vm()).contains("v3");
    }

    @Test
    void aStalledHostStaysStalledAcrossARestore() throws IOException {
        EngineFixture f = stallOf60s(true);
        List<Event> all = new ArrayList<>(f.events);
        all.sort(Comparator.comparingLong(Event::ts).thenComparingLong(Event::seq));
        List<Event> before = all.stream().filter(e -> e.ts() <= at(50)).toList();
        advance(f, before);
        EngineFixture g = new EngineFixture(roundTrip(f.engine));
        g.events.addAll(all.subList(before.size(), all.size()));
        g.run();

        assertThat(naming(f, "h1")).isEmpty();
        assertThat(naming(g, "h1")).isEmpty();
        assertThat(naming(g, "h2")).first().extracting(IncidentOut::ts).isEqualTo(at(92));
    }

    private static void advance(EngineFixture f, List<Event> events) {
        int i = 0;
        while (i < events.size()) {
            long t = Math.min(events.get(i).ts(), f.engine.nextDue());
            List<Event> now = new ArrayList<>();
            while (i < events.size() && events.get(i).ts() == t) {
                now.add(events.get(i++));
            }
            f.engine.advance(t, now, f);
        }
    }

    private static ClusterEngine roundTrip(ClusterEngine e) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EngineState.write(e, new DataOutputStream(bytes));
        return EngineState.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }
}
