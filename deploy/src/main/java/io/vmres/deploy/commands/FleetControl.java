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
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The crash control of {@code vmres fleet}: a folder in which {@code vmres fleet crash HOST} drops
 * a request file ({@code HOST.crash}); the fleet process crashes that host and answers with {@code
 * HOST.done} (what it did, one line) or {@code HOST.rejected} (why not). A folder, not a port: it
 * needs no listener, and only who may write the folder may crash hosts.
 */
public final class FleetControl implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(FleetControl.class);

    /** Asks the fleet to crash the first host (by name) that can crash: on, with a BMC and VMs. */
    public static final String ANY = "any";

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
        if (!HOST.matcher(host).matches()) {
            throw new IllegalArgumentException("not a host name: " + host);
        }
        if (!Files.isDirectory(dir)) {
            throw new IllegalStateException("no fleet control folder at " + dir);
        }
        Path done = dir.resolve(host + ".done");
        Path rejected = dir.resolve(host + ".rejected");
        Files.deleteIfExists(done);
        Files.deleteIfExists(rejected);
        Path tmp = Files.createTempFile(dir, host, ".tmp");
        Files.move(tmp, dir.resolve(host + ".crash"), StandardCopyOption.ATOMIC_MOVE);
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
        Files.deleteIfExists(dir.resolve(host + ".crash"));
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
        try (DirectoryStream<Path> requests = Files.newDirectoryStream(dir, "*.crash")) {
            for (Path request : requests) {
                String name = request.getFileName().toString();
                String host = name.substring(0, name.length() - ".crash".length());
                String answer;
                String suffix;
                try {
                    answer = crash(host);
                    suffix = ".done";
                } catch (IllegalArgumentException e) {
                    answer = e.getMessage();
                    suffix = ".rejected";
                }
                out.println(answer);
                Path tmp = Files.createTempFile(dir, host, ".tmp");
                Files.writeString(tmp, answer + "\n", StandardCharsets.UTF_8);
                Files.move(tmp, dir.resolve(host + suffix), StandardCopyOption.ATOMIC_MOVE);
                Files.deleteIfExists(request);
            }
        }
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
