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
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The failure of a what-if written into a recording, to replay it: the failing hosts say nothing
 * after the question's time (no heartbeat, power or health line with a later ts), and the BMC of
 * each host declared known down by its power reads {@code off} one second after it. Every other
 * line is copied as it is.
 */
public final class FailureInjection {
    private FailureInjection() {}

    /** How long after the question's time the failing hosts' BMCs read off. */
    public static final long OFF_AFTER_MS = 1_000;

    private static final Set<String> TELEMETRY = Set.of("heartbeat", "power", "health");

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
                w.write(line);
                w.newLine();
                lines++;
            }
            if (!offWritten) {
                lines += powerOff(m, w, off, offAt);
            }
        }
        return lines;
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
