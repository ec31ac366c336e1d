package io.vmres.job;

import io.vmres.engine.event.Event;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.VmEvent;
import java.util.List;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;

/** What the engine operator's tests share: cluster c1's hosts, its VM vm1, the lines emitted. */
public final class EngineOperatorFixture {
    /** 2026-03-01T10:00:00Z. */
    public static final long T0 = 1_772_359_200_000L;

    private EngineOperatorFixture() {}

    /** A kvm host of cluster c1 with 64 CPUs, 256 GiB and storage domain sd, seen at T0. */
    public static HostEvent host(long seq, String name) {
        return new HostEvent(
                T0,
                seq,
                name,
                "c1",
                64,
                262_144,
                "r-" + name,
                "pd-" + name,
                "kvm",
                List.of("sd"),
                false,
                true);
    }

    /** vm1 running on h1 with disk d1, seen at T0. */
    public static VmEvent vm1(long seq) {
        return new VmEvent(
                T0, seq, "vm1", "h1", 2, 4096, 500, true, null, "sd", List.of("d1"), List.of());
    }

    /** The event, routed to cluster c1 at its own time. */
    public static void send(
            KeyedOneInputStreamOperatorTestHarness<String, Routed, Emitted> h, Event e)
            throws Exception {
        h.processElement(Routed.of("c1", e), e.ts());
    }

    /** The lines of one type the operator has emitted so far, in order. */
    public static <T> List<T> lines(
            KeyedOneInputStreamOperatorTestHarness<String, Routed, Emitted> h, Class<T> type) {
        return h.extractOutputValues().stream()
                .map(Emitted::line)
                .filter(type::isInstance)
                .map(type::cast)
                .toList();
    }
}
