package io.vmres.deploy.commands;

import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.schema.PowerState;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The fault control of {@code vmres fleet}: a folder in which {@code vmres fleet crash HOST},
 * {@code vmres fleet rack RACK}, {@code vmres fleet degrade HOST}, {@code vmres fleet repair
 * HOST|RACK} and {@code vmres fleet failback HOST|RACK} drop a request file ({@code TARGET.crash},
 * {@code TARGET.rack}, {@code TARGET.degrade-KIND}, {@code TARGET.repair}, {@code
 * TARGET.failback}); the fleet process injects the fault (or repairs) and answers with {@code
 * TARGET.ACTION.done} (what it did, one line) or {@code TARGET.ACTION.rejected} (why not). A
 * folder, not a port: it needs no listener, and only who may write the folder may inject faults.
 */
public final class FleetControl implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetControl.class);

    /**
     * Asks the fleet for the first host (by name) that can fail: on, with a BMC and VMs (for a
     * rack: that host's rack).
     */
    public static final String ANY = "any";

    /** A fault the fleet injects on request, or a repair it makes. */
    public enum Fault {
        /** The host dies: heartbeats stop, its BMC reads off. */
        CRASH("crash"),
        /** The rack loses power: every host in it dies at once. */
        RACK("rack"),
        /** An uncorrectable memory error on the host: a failure to come, so drain it. */
        DEGRADE_ECC("degrade-ecc"),
        /** The host's vendor predictive-failure alert ({@code pfa}): drain it. */
        DEGRADE_PFA("degrade-pfa"),
        /** The host (or every host of the rack) is repaired: powered on, beating again, empty. */
        REPAIR("repair"),
        /** The VMs of a repaired host (or rack) are live-migrated back to it. */
        FAILBACK("failback");

        final String suffix;

        Fault(String suffix) {
            this.suffix = suffix;
        }

        static Fault ofSuffix(String suffix) {
            for (Fault f : values()) {
                if (f.suffix.equals(suffix)) {
                    return f;
                }
            }
            return null;
        }
    }

    private static final Pattern HOST = Pattern.compile("[A-Za-z0-9._-]+");
    private static final Duration POLL = Duration.ofMillis(200);

    private final SimulatedFleet fleet;
    private final Path dir;
    private final PrintStream out;
    private final ScheduledExecutorService poller;

    private FleetControl(SimulatedFleet fleet, Path dir, PrintStream out) {
        this.fleet = fleet;
        this.dir = dir;
        this.out = out;
        this.poller =
                Executors.newSingleThreadScheduledExecutor(
                        r -> {
                            Thread t = new Thread(r, "vmres-fleet-control");
                            t.setDaemon(true);
                            return t;
                        });
    }

    /** Watches {@code dir} (created if missing) for crash requests until closed. */
    public static FleetControl watch(SimulatedFleet fleet, Path dir, PrintStream out)
            throws IOException {
        Files.createDirectories(dir);
        FleetControl c = new FleetControl(fleet, dir, out);
        c.poller.scheduleWithFixedDelay(c::pollSafely, 0, POLL.toMillis(), TimeUnit.MILLISECONDS);
        return c;
    }

    /**
     * Asks the fleet process watching {@code dir} to crash {@code host} (or {@link #ANY}) and waits
     * for its answer.
     *
     * @return the fleet's line about the crash
     * @throws IllegalStateException when the fleet rejects it, or no fleet answers in time
     */
    public static String request(Path dir, String host, Duration timeout)
            throws IOException, InterruptedException {
        return request(dir, Fault.CRASH, host, timeout);
    }

    /**
     * Asks the fleet process watching {@code dir} to inject {@code fault} on {@code target} (a
     * host, a rack, or {@link #ANY}) and waits for its answer.
     *
     * @return the fleet's line about what it did
     * @throws IllegalStateException when the fleet rejects it, or no fleet answers in time
     */
    public static String request(Path dir, Fault fault, String target, Duration timeout)
            throws IOException, InterruptedException {
        if (!HOST.matcher(target).matches()) {
            throw new IllegalArgumentException("not a host or rack name: " + target);
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no fleet control folder at " + dir);
        }
        String name = target + "." + fault.suffix;
        Path done = dir.resolve(name + ".done");
        Path rejected = dir.resolve(name + ".rejected");
        Files.deleteIfExists(done);
        Files.deleteIfExists(rejected);
        Path tmp = Files.createTempFile(dir, target, ".tmp");
        Files.move(tmp, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE);
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (Files.exists(done)) {
                return Files.readString(done, StandardCharsets.UTF_8).strip();
            }
            if (Files.exists(rejected)) {
                throw new IllegalStateException(
                        Files.readString(rejected, StandardCharsets.UTF_8).strip());
            }
            Thread.sleep(POLL.toMillis());
        }
        Files.deleteIfExists(dir.resolve(name));
        throw new IllegalStateException(
                "no fleet answered within "
                        + timeout.toSeconds()
                        + " s (is `vmres fleet` running?)");
    }

    private void pollSafely() {
        try {
            poll();
        } catch (IOException | RuntimeException e) {
            // the next poll tries again; one bad request must not stop the control
            LOG.warn("fleet control: {}", e.toString(), e);
        }
    }

    private void poll() throws IOException {
        try (DirectoryStream<Path> requests = Files.newDirectoryStream(dir)) {
            for (Path request : requests) {
                String name = request.getFileName().toString();
                int dot = name.indexOf('.');
                Fault fault = dot < 0 ? null : Fault.ofSuffix(name.substring(dot + 1));
                if (fault == null) {
                    continue; // answers, temporary files
                }
                String target = name.substring(0, dot);
                String answer;
                String suffix;
                try {
                    answer = inject(fault, target);
                    suffix = ".done";
                } catch (IllegalArgumentException e) {
                    answer = e.getMessage();
                    suffix = ".rejected";
                }
                out.println(answer);
                Path tmp = Files.createTempFile(dir, target, ".tmp");
                Files.writeString(tmp, answer + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, dir.resolve(name + suffix), StandardCopyOption.ATOMIC_MOVE);
                Files.deleteIfExists(request);
            }
        }
    }

    private String inject(Fault fault, String target) {
        return switch (fault) {
            case CRASH -> crash(target);
            case RACK -> rack(target);
            case DEGRADE_ECC -> degrade(target, "ecc_uncorrectable", "an uncorrectable ECC error");
            case DEGRADE_PFA -> degrade(target, "pfa", "its vendor's predictive-failure alert");
            case REPAIR -> repair(target);
            case FAILBACK -> failback(target);
        };
    }

    /** The hosts a repair or failback names: the host of that name, else every host of the rack. */
    private List<String> hostsOf(String target) {
        if (fleet.host(target).isPresent()) {
            return List.of(target);
        }
        List<String> in =
                fleet.hosts().stream()
                        .filter(h -> h.rack().equals(target))
                        .map(FleetHost::host)
                        .toList();
        if (in.isEmpty()) {
            throw new IllegalArgumentException("no host or rack " + target + " in the fleet");
        }
        return in;
    }

    private String repair(String target) {
        List<String> hosts = hostsOf(target);
        List<String> down = hosts.stream().filter(h -> fleet.power(h) != PowerState.on).toList();
        hosts.forEach(fleet::repair);
        return String.format(
                Locale.ROOT,
                "repaired %s: %d hosts (%d were down: %s); they beat again, and hold the VMs no"
                        + " recovery moved away; `vmres fleet failback %s` brings back the others",
                target,
                hosts.size(),
                down.size(),
                down.isEmpty() ? "none" : String.join(" ", down),
                target);
    }

    private String failback(String target) {
        int moved = 0;
        int republished = 0;
        Map<String, String> left = new java.util.LinkedHashMap<>();
        for (String h : hostsOf(target)) {
            SimulatedFleet.Failback f = fleet.failback(h);
            moved += f.moved().size();
            republished += f.republished().size();
            left.putAll(f.left());
        }
        String why =
                left.entrySet().stream()
                        .limit(5)
                        .map(e -> e.getKey() + ": " + e.getValue())
                        .collect(java.util.stream.Collectors.joining("; "));
        return String.format(
                Locale.ROOT,
                "failback to %s: %d VMs migrated back home, %d already there (told again on the"
                        + " inventory), %d left where they run%s",
                target,
                moved,
                republished,
                left.size(),
                left.isEmpty() ? "" : " (" + why + (left.size() > 5 ? "; ..." : "") + ")");
    }

    private String rack(String requested) {
        String rack =
                requested.equals(ANY)
                        ? firstCrashable()
                                .flatMap(fleet::host)
                                .map(FleetHost::rack)
                                .orElseThrow(() -> new IllegalArgumentException("no rack left"))
                        : requested;
        List<FleetHost> in = fleet.hosts().stream().filter(h -> h.rack().equals(rack)).toList();
        if (in.isEmpty()) {
            throw new IllegalArgumentException("no rack " + rack + " in the fleet");
        }
        if (in.stream().noneMatch(h -> fleet.power(h.host()) == PowerState.on)) {
            throw new IllegalArgumentException("rack " + rack + " is down already");
        }
        int vms = in.stream().mapToInt(h -> fleet.vmsOn(h.host()).size()).sum();
        List<String> down = fleet.rackPowerLoss(rack);
        return String.format(
                Locale.ROOT,
                "rack %s lost power (cluster %s): %d hosts down (%s), %d VMs on them; their"
                        + " heartbeats stop, their BMCs read off",
                rack,
                in.stream().map(FleetHost::cluster).distinct().sorted().toList(),
                down.size(),
                String.join(" ", down),
                vms);
    }

    private String degrade(String requested, String sensor, String what) {
        String host = requested.equals(ANY) ? firstCrashable().orElse(null) : requested;
        if (host == null) {
            throw new IllegalArgumentException("no host left to degrade");
        }
        FleetHost h =
                fleet.host(host)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "no host " + host + " in the fleet"));
        if (fleet.power(host) == PowerState.off) {
            throw new IllegalArgumentException(host + " is down already");
        }
        fleet.health(host, sensor, 1);
        return String.format(
                Locale.ROOT,
                "degraded %s (cluster %s, rack %s): %s (%s = 1); %d VMs on it, still running",
                host,
                h.cluster(),
                h.rack(),
                what,
                sensor,
                fleet.vmsOn(host).size());
    }

    private String crash(String requested) {
        String host = requested.equals(ANY) ? firstCrashable().orElse(null) : requested;
        if (host == null) {
            throw new IllegalArgumentException("no host left to crash");
        }
        FleetHost h =
                fleet.host(host)
                        .orElseThrow(
                                () ->
                                        new IllegalArgumentException(
                                                "no host " + host + " in the fleet"));
        if (fleet.power(host) == PowerState.off) {
            throw new IllegalArgumentException(host + " is down already");
        }
        int vms = fleet.vmsOn(host).size();
        fleet.crash(host);
        return String.format(
                Locale.ROOT,
                "crashed %s (cluster %s, rack %s): %d VMs on it; its heartbeats stop%s",
                host,
                h.cluster(),
                h.rack(),
                vms,
                h.bmc() ? ", its BMC reads off" : "");
    }

    private Optional<String> firstCrashable() {
        return fleet.hosts().stream()
                .filter(h -> !h.spare() && h.bmc())
                .filter(h -> fleet.power(h.host()) == PowerState.on)
                .filter(h -> !fleet.vmsOn(h.host()).isEmpty())
                .map(FleetHost::host)
                .min(Comparator.naturalOrder());
    }

    @Override
    public void close() {
        poller.shutdownNow();
    }
}
