package io.vmres.engine.recording;

import io.vmres.engine.Engine;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.event.Event;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.Output;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A stand-in cluster engine that logs every call and, like a channel-loss timer, has work of its
 * own {@code timerMs} after each event it is given; it writes one alert per call that brings it
 * input or a timer.
 */
final class ScriptedEngine implements Engine {
    final String cluster;
    final long timerMs;
    final List<String> calls = new ArrayList<>();
    final List<String> violations = new ArrayList<>();
    private final TreeSet<Long> timers = new TreeSet<>();
    private long lastT = Long.MIN_VALUE;
    private long endOfInput = Long.MAX_VALUE;

    ScriptedEngine(String cluster, long timerMs) {
        this.cluster = cluster;
        this.timerMs = timerMs;
    }

    @Override
    public void advance(long t, List<Event> eventsAtT, Output out) {
        if (t <= lastT) {
            violations.add("instant " + t + " after " + lastT);
        }
        if (!timers.isEmpty() && timers.first() < t) {
            violations.add("timer " + timers.first() + " skipped before " + t);
        }
        for (Event e : eventsAtT) {
            if (e.ts() != t) {
                violations.add("event of " + e.ts() + " handed at " + t);
            }
        }
        lastT = t;
        String seqs =
                eventsAtT.stream()
                        .map(e -> Long.toString(e.seq()))
                        .collect(Collectors.joining(","));
        calls.add("advance " + t + " [" + seqs + "]");
        boolean timer = timers.remove(t);
        for (Event e : eventsAtT) {
            if (e.ts() + timerMs <= endOfInput) {
                timers.add(e.ts() + timerMs);
            }
        }
        if (timer || !eventsAtT.isEmpty()) {
            out.alert(
                    new AlertOut(
                            "SEEN",
                            cluster + "-inc",
                            null,
                            List.of(),
                            cluster + " [" + seqs + "]",
                            t));
        }
    }

    @Override
    public long nextDue() {
        return timers.isEmpty() ? Long.MAX_VALUE : timers.first();
    }

    @Override
    public void endOfInput(long lastTs) {
        calls.add("endOfInput " + lastTs);
        endOfInput = lastTs;
        // As the spec says of channel losses: nothing after the end of the recording happens.
        timers.removeIf(x -> x > lastTs);
    }

    @Override
    public void giveUpAtEnd(long endTs, Output out) {
        calls.add("giveUpAtEnd " + endTs);
    }

    @Override
    public List<IncidentFigures> figures() {
        return List.of();
    }
}
