package io.vmres.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;

import io.vmres.engine.event.ClockSkew;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.Maintenance;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.state.EngineState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Wrong clocks told once per host per hour of event time ({@code CLOCK_SKEW}), and times near
 * either end of a long, which no arithmetic of the engine may wrap around.
 */
class WrongClocksAndExtremeTimesTest {
    private static final long T0 = EngineFixture.T0;
    private static final long HOUR = 3_600_000;

    private static HostEvent host(long ts, String id) {
        return new HostEvent(
                ts, 0, id, "c1", 64, 262144, "r1", "pd1", "kvm", List.of("sd-1"), false, true);
    }

    private static List<String> clockAlerts(EngineFixture f) {
        List<String> told = new ArrayList<>();
        for (AlertOut a : f.alerts) {
            if (a.kind().equals("CLOCK_SKEW")) {
                told.add(a.host() + "@" + (a.ts() - T0) / 1000);
            }
        }
        return told;
    }

    private static ClusterEngine roundTrip(ClusterEngine e) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        EngineState.write(e, new DataOutputStream(bytes));
        return EngineState.read(new DataInputStream(new ByteArrayInputStream(bytes.toByteArray())));
    }

    @Test
    void aWrongClockIsToldOncePerHostPerHourAndChangesNothingElse() throws IOException {
        EngineFixture f = new EngineFixture(Settings.DEFAULTS);
        ClusterEngine e = f.engine;
        e.advance(T0, List.of(host(T0, "h1"), host(T0, "h2")), f);
        e.advance(T0 + 10_000, List.of(new ClockSkew(T0 + 10_000, 1, "h1", T0 + 40_000)), f);
        e.advance(T0 + 20_000, List.of(new ClockSkew(T0 + 20_000, 2, "h1", T0 + 50_000)), f);
        // the state keeps who was told: a restored engine does not tell h1 again within the hour
        EngineFixture g = new EngineFixture(roundTrip(e));
        g.engine.advance(T0 + 30_000, List.of(new ClockSkew(T0 + 30_000, 3, "h2", T0 + 5_000)), g);
        g.engine.advance(
                T0 + 10_000 + HOUR - 1,
                List.of(new ClockSkew(T0 + 10_000 + HOUR - 1, 4, "h1", T0 + HOUR + 40_000)),
                g);
        g.engine.advance(
                T0 + 10_000 + HOUR,
                List.of(new ClockSkew(T0 + 10_000 + HOUR, 5, "h1", T0 + HOUR + 40_000)),
                g);

        assertThat(clockAlerts(f)).containsExactly("h1@10");
        assertThat(clockAlerts(g)).containsExactly("h2@30", "h1@3610");
        AlertOut slow = g.alerts.get(0);
        assertThat(slow.incidentId()).isNull();
        assertThat(slow.detail()).contains("25 s behind");
        assertThat(f.alerts.get(0).detail()).contains("30 s ahead");
        assertThat(f.incidents).isEmpty();
        assertThat(g.incidents).isEmpty();
        assertThat(f.commands).isEmpty();
    }

    @Test
    void timesNearTheEndsOfALongNeverWrap() {
        EngineFixture f = new EngineFixture(Settings.DEFAULTS);
        ClusterEngine e = f.engine;
        long min = Long.MIN_VALUE + 1;
        e.advance(
                min,
                List.of(
                        host(min, "h1"),
                        host(min, "h2"),
                        new VmEvent(
                                min, 1, "v1", "h1", 2, 4096, 500, true, null, null, List.of(),
                                List.of()),
                        new Heartbeat(min, 2, "h1", "mgmt"),
                        new Heartbeat(min, 3, "h2", "mgmt")),
                f);
        // both fall silent at the start of time: lost and classified after min, not before it
        assertThatCode(
                        () -> {
                            long t = e.nextDue();
                            while (t < min + 120_000) {
                                e.advance(t, List.of(), f);
                                t = e.nextDue();
                            }
                        })
                .doesNotThrowAnyException();
        assertThat(f.incidents).isNotEmpty();
        assertThat(f.incidents.get(0).hosts()).contains("h1");
        assertThat(f.incidents.get(0).ts()).isEqualTo(min + 12_000);
        // then h2 beats at the end of time, with a maintenance due after it: nothing wraps
        long max = Long.MAX_VALUE - 1;
        List<Event> late =
                List.of(
                        new Heartbeat(max, 4, "h2", "mgmt"),
                        new Maintenance(max, 5, "h2", Long.MAX_VALUE, "end of time", "test"));
        assertThatCode(() -> e.advance(max, late, f)).doesNotThrowAnyException();
        assertThat(e.nextDue()).isGreaterThanOrEqualTo(max);
        if (e.nextDue() != Long.MAX_VALUE) {
            e.advance(e.nextDue(), List.of(), f);
        }
        // every decision in time order, none before the start
        long previous = Long.MIN_VALUE;
        for (AlertOut a : f.alerts) {
            assertThat(a.ts()).isGreaterThanOrEqualTo(previous);
            previous = a.ts();
        }
        assertThat(f.commands).allSatisfy(c -> assertThat(c.ts()).isGreaterThanOrEqualTo(min));
        assertThat(f.incidents).allSatisfy(i -> assertThat(i.ts()).isGreaterThanOrEqualTo(min));
    }

    @Test
    void saturatingArithmetic() {
        assertThat(Times.plus(Long.MAX_VALUE - 5, 10_000)).isEqualTo(Long.MAX_VALUE);
        assertThat(Times.plus(Long.MIN_VALUE + 5, -10_000)).isEqualTo(Long.MIN_VALUE);
        assertThat(Times.plus(T0, 10_000)).isEqualTo(T0 + 10_000);
        assertThat(Times.minus(Long.MIN_VALUE + 5, 10_000)).isEqualTo(Long.MIN_VALUE);
        assertThat(Times.minus(Long.MAX_VALUE - 5, -10_000)).isEqualTo(Long.MAX_VALUE);
        assertThat(Times.minus(T0, 10_000)).isEqualTo(T0 - 10_000);
        assertThat(Times.distance(Long.MIN_VALUE, Long.MAX_VALUE)).isEqualTo(Long.MAX_VALUE);
        assertThat(Times.distance(T0, T0 - 7)).isEqualTo(7);
    }
}
