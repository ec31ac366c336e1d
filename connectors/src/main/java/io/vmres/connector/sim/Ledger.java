package io.vmres.connector.sim;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.connector.runtime.Outcome;
import io.vmres.schema.Action;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Every operation the simulated fleet ran, in the order they finished: the ground truth that
 * exactly-once checks compare the job's commands and results with. Thread-safe. A ledger kept in a
 * file ({@link SimulatedFleet.Builder#ledgerFile}) outlives its process: each entry is one JSON
 * line, written before the call returns, and a fleet opening the file again starts from what it
 * holds.
 */
public final class Ledger {
    private static final ObjectMapper JSON = new ObjectMapper();

    /** One operation: which command asked for it, what it did and how it ended. */
    public record Entry(
            String commandId,
            Action action,
            String host,
            String target,
            String vm,
            List<String> vms,
            Outcome.Status status,
            String detail,
            Instant started,
            Instant finished) {
        public Entry {
            vms = vms == null ? List.of() : List.copyOf(vms);
        }
    }

    /**
     * A VM running on a host from {@code from} to {@code to} (null while it still runs there). Kept
     * in memory only, not in the ledger file.
     */
    public record Interval(String vm, String host, Instant from, Instant to) {}

    private final List<Entry> entries = new ArrayList<>();
    private BufferedWriter file;
    private final List<Interval> closedIntervals = new ArrayList<>();
    // vm -> host -> since when it runs there, in the order the copies started
    private final Map<String, Map<String, Instant>> running = new LinkedHashMap<>();
    // VMs that ran on two hosts at once at least once
    private final Set<String> doubled = new TreeSet<>();

    Ledger() {}

    /** A ledger kept in a file: reads what the file holds, then appends each new entry to it. */
    static Ledger inFile(Path path) {
        Ledger l = new Ledger();
        l.entries.addAll(read(path));
        try {
            l.file =
                    Files.newBufferedWriter(
                            path,
                            StandardCharsets.UTF_8,
                            StandardOpenOption.CREATE,
                            StandardOpenOption.APPEND);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open ledger file " + path, e);
        }
        return l;
    }

    /** The entries of a ledger file (none if it does not exist); a torn last line is skipped. */
    public static List<Entry> read(Path path) {
        if (!Files.exists(path)) {
            return List.of();
        }
        List<Entry> out = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(path, StandardCharsets.UTF_8)) {
                if (line.isBlank()) {
                    continue;
                }
                try {
                    out.add(fromJson(JSON.readTree(line)));
                } catch (IOException | RuntimeException e) {
                    // A process killed in the middle of a line: that call never returned.
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read ledger file " + path, e);
        }
        return out;
    }

    synchronized void add(Entry entry) {
        entries.add(entry);
        if (file != null) {
            try {
                // Flushed to the operating system before the call returns: it survives the process.
                file.write(toJson(entry));
                file.newLine();
                file.flush();
            } catch (IOException e) {
                throw new UncheckedIOException("cannot write the ledger file", e);
            }
        }
    }

    /**
     * A VM starts running on a host (nothing if it runs there already). Called by the fleet in the
     * order things happen, under its lock: two copies open at once are two copies at once, even
     * within one millisecond.
     */
    synchronized void vmStarted(String vm, String host, Instant at) {
        Map<String, Instant> hosts = running.computeIfAbsent(vm, k -> new LinkedHashMap<>());
        if (hosts.putIfAbsent(host, at) == null && hosts.size() > 1) {
            doubled.add(vm);
        }
    }

    /** A VM stops running on a host (nothing if it did not run there). */
    synchronized void vmStopped(String vm, String host, Instant at) {
        Map<String, Instant> hosts = running.get(vm);
        Instant from = hosts == null ? null : hosts.remove(host);
        if (from != null) {
            closedIntervals.add(new Interval(vm, host, from, at));
        }
    }

    /** Every interval a VM ran on a host, the finished ones first, then those still open. */
    public synchronized List<Interval> intervals() {
        List<Interval> out = new ArrayList<>(closedIntervals);
        running.forEach(
                (vm, hosts) ->
                        hosts.forEach((h, from) -> out.add(new Interval(vm, h, from, null))));
        return out;
    }

    /** The hosts a VM runs on now. */
    public synchronized Set<String> hostsRunning(String vm) {
        Map<String, Instant> hosts = running.get(vm);
        return hosts == null ? Set.of() : Set.copyOf(hosts.keySet());
    }

    /** The VMs that ever ran on two hosts at once, sorted. */
    public synchronized Set<String> vmsEverOnTwoHosts() {
        return Set.copyOf(doubled);
    }

    /** How many VMs ever ran on two hosts at once: 0 means never a second copy. */
    public synchronized int vmsOnTwoHostsAtOnce() {
        return doubled.size();
    }

    /** The last entry of a command id, if it ran. */
    public synchronized java.util.Optional<Entry> last(String commandId) {
        for (int i = entries.size() - 1; i >= 0; i--) {
            if (entries.get(i).commandId().equals(commandId)) {
                return java.util.Optional.of(entries.get(i));
            }
        }
        return java.util.Optional.empty();
    }

    private static String toJson(Entry e) throws IOException {
        ObjectNode n = JSON.createObjectNode();
        n.put("commandId", e.commandId());
        n.put("action", e.action().name());
        n.put("host", e.host());
        n.put("target", e.target());
        n.put("vm", e.vm());
        e.vms().forEach(n.putArray("vms")::add);
        n.put("status", e.status().name());
        n.put("detail", e.detail());
        n.put("started", e.started().toEpochMilli());
        n.put("finished", e.finished().toEpochMilli());
        return JSON.writeValueAsString(n);
    }

    private static Entry fromJson(JsonNode n) {
        List<String> vms = new ArrayList<>();
        n.path("vms").forEach(v -> vms.add(v.asText()));
        return new Entry(
                n.get("commandId").asText(),
                Action.valueOf(n.get("action").asText()),
                text(n, "host"),
                text(n, "target"),
                text(n, "vm"),
                vms,
                Outcome.Status.valueOf(n.get("status").asText()),
                text(n, "detail"),
                Instant.ofEpochMilli(n.get("started").asLong()),
                Instant.ofEpochMilli(n.get("finished").asLong()));
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? null : v.asText();
    }

    public synchronized List<Entry> entries() {
        return List.copyOf(entries);
    }

    public synchronized int size() {
        return entries.size();
    }

    public synchronized List<Entry> forCommand(String commandId) {
        return entries.stream().filter(e -> e.commandId().equals(commandId)).toList();
    }

    public synchronized long count(Action action) {
        return entries.stream().filter(e -> e.action() == action).count();
    }

    public synchronized long count(Action action, Outcome.Status status) {
        return entries.stream().filter(e -> e.action() == action && e.status() == status).count();
    }

    /** How many times each command id ran, in the order each first ran. */
    public synchronized Map<String, Integer> runsPerCommand() {
        Map<String, Integer> runs = new LinkedHashMap<>();
        for (Entry e : entries) {
            runs.merge(e.commandId(), 1, Integer::sum);
        }
        return runs;
    }

    /** Command ids that ran more than once: empty when every command ran exactly once. */
    public synchronized Set<String> repeatedCommands() {
        Set<String> out = new TreeSet<>();
        runsPerCommand()
                .forEach(
                        (id, n) -> {
                            if (n > 1) {
                                out.add(id);
                            }
                        });
        return out;
    }
}
