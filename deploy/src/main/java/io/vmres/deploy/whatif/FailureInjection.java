package io.vmres.deploy.whatif;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.engine.Times;
import io.vmres.engine.whatif.WhatIfAnswer;
import io.vmres.engine.whatif.WhatIfAnswer.HostDown;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The failure of a what-if written into a recording, to replay it: the failing hosts say nothing
 * after the question's time (no heartbeat, power or health line with a later ts), and the BMC of
 * each host declared known down by its power reads {@code off} one second after it. Every other
 * line is copied as it is.
 *
 * <p>A what-if takes every other host to stay as it was. When the recording ends before the
 * answer's last restart succeeds ({@link #CONTINUE_AFTER_MS} after it), the rest of the fleet goes
 * on in the copy: every channel of a host that was still beating at the recording's end (its last
 * beat at most two of its intervals before the end) beats on at its last interval until then.
 * Without it, a replay would see the whole fleet fall silent at the recording's end, and no host
 * left to restart a VM on.
 */
public final class FailureInjection {
    private FailureInjection() {}

    /** How long after the question's time the failing hosts' BMCs read off. */
    public static final long OFF_AFTER_MS = 1_000;

    /** How long after the answer's last restart the rest of the fleet beats on in the copy. */
    public static final long CONTINUE_AFTER_MS = 30_000;

    private static final Set<String> TELEMETRY = Set.of("heartbeat", "power", "health");

    /** The last two beats of one channel of one host. */
    private static final class Beats {
        long previous = Long.MIN_VALUE;
        long last = Long.MIN_VALUE;

        void add(long ts) {
            if (ts > last) {
                previous = last;
                last = ts;
            }
        }
    }

    /** Writes {@code in} with the answer's failures into {@code out}; returns the lines written. */
    public static long write(Path in, Path out, WhatIfAnswer answer) throws IOException {
        TreeSet<String> silent = new TreeSet<>();
        TreeSet<String> off = new TreeSet<>();
        for (WhatIfAnswer.ClusterAnswer c : answer.clusters()) {
            for (HostDown h : c.hosts()) {
                if (!h.proof().equals("already-down")) {
                    silent.add(h.host());
                    if (h.proof().equals("power-off")) {
                        off.add(h.host());
                    }
                }
            }
        }
        long at = answer.at();
        long offAt = at + OFF_AFTER_MS;
        ObjectMapper m = new ObjectMapper();
        long lines = 0;
        boolean offWritten = off.isEmpty();
        // host, channel -> its last beats (of the hosts that keep beating)
        Map<List<String>, Beats> beats = new HashMap<>();
        long end = Long.MIN_VALUE;
        try (BufferedReader r = Files.newBufferedReader(in, StandardCharsets.UTF_8);
                BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
            String line;
            while ((line = r.readLine()) != null) {
                JsonNode n = line.isBlank() ? null : readOrNull(m, line);
                long ts = n == null || !n.hasNonNull("ts") ? Long.MIN_VALUE : tsOf(n);
                if (!offWritten && ts > offAt) {
                    lines += powerOff(m, w, off, offAt);
                    offWritten = true;
                }
                if (n != null
                        && TELEMETRY.contains(n.path("type").asText())
                        && silent.contains(n.path("host").asText())
                        && ts > at) {
                    continue;
                }
                end = Math.max(end, ts);
                if (n != null
                        && n.path("type").asText().equals("heartbeat")
                        && !silent.contains(n.path("host").asText())
                        && ts != Long.MIN_VALUE) {
                    beats.computeIfAbsent(
                                    List.of(n.path("host").asText(), n.path("channel").asText()),
                                    k -> new Beats())
                            .add(ts);
                }
                w.write(line);
                w.newLine();
                lines++;
            }
            if (!offWritten) {
                lines += powerOff(m, w, off, offAt);
            }
            Long last = lastRecovery(answer);
            if (last != null && end != Long.MIN_VALUE) {
                lines += beatOn(m, w, beats, end, last + CONTINUE_AFTER_MS);
            }
        }
        return lines;
    }

    /** When the answer's last restart succeeds, null when it makes none. */
    static Long lastRecovery(WhatIfAnswer answer) {
        Long last = null;
        for (WhatIfAnswer.ClusterAnswer c : answer.clusters()) {
            if (c.lastRecovery() != null && (last == null || c.lastRecovery() > last)) {
                last = c.lastRecovery();
            }
        }
        return last;
    }

    /**
     * The beats after {@code end} up to {@code until} of every channel still beating at {@code
     * end}, in ts order.
     */
    private static long beatOn(
            ObjectMapper m, BufferedWriter w, Map<List<String>, Beats> beats, long end, long until)
            throws IOException {
        record Beat(long ts, String host, String channel) {}
        List<Beat> more = new ArrayList<>();
        for (Map.Entry<List<String>, Beats> e : beats.entrySet()) {
            Beats b = e.getValue();
            if (b.previous == Long.MIN_VALUE) {
                continue; // one beat tells no interval
            }
            long interval = b.last - b.previous;
            if (interval <= 0 || b.last + 2 * interval < end) {
                continue; // silent at the end: it stays so
            }
            for (long t = b.last + interval; t <= until; t += interval) {
                more.add(new Beat(t, e.getKey().get(0), e.getKey().get(1)));
            }
        }
        more.sort(
                Comparator.comparingLong(Beat::ts)
                        .thenComparing(Beat::host)
                        .thenComparing(Beat::channel));
        for (Beat b : more) {
            ObjectNode o = m.createObjectNode();
            o.put("type", "heartbeat");
            o.put("ts", Times.format(b.ts()));
            o.put("host", b.host());
            o.put("channel", b.channel());
            w.write(m.writeValueAsString(o));
            w.newLine();
        }
        return more.size();
    }

    private static long tsOf(JsonNode n) {
        try {
            return Times.parse(n.get("ts").asText());
        } catch (IllegalArgumentException e) {
            return Long.MIN_VALUE; // a bad line stays as it is: the replay tells it
        }
    }

    private static JsonNode readOrNull(ObjectMapper m, String line) {
        try {
            return m.readTree(line);
        } catch (IOException e) {
            return null; // copied as it is: the replay tells it as bad input
        }
    }

    private static long powerOff(ObjectMapper m, BufferedWriter w, Set<String> hosts, long ts)
            throws IOException {
        List<String> lines = new ArrayList<>();
        for (String h : hosts) {
            ObjectNode o = m.createObjectNode();
            o.put("type", "power");
            o.put("ts", Times.format(ts));
            o.put("host", h);
            o.put("state", "off");
            lines.add(m.writeValueAsString(o));
        }
        for (String l : lines) {
            w.write(l);
            w.newLine();
        }
        return lines.size();
    }
}
