package io.vmres.connector.ipmi;

import io.vmres.connector.runtime.HypervisorConnector;
import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.connector.runtime.TransientException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Fences hosts through their BMCs over IPMI (LAN, RMCP+), with {@code ipmitool}: reads the power
 * state, powers the host off, and reads again until it reads off. Success only on a reading of off:
 * a BMC that cannot be reached, or a host whose power never reads off within the command's time,
 * fails the fence; it never succeeds on doubt. Only fences: other commands are answered {@code
 * FAILED} (run the IPMI connector beside a hypervisor connector, in its own consumer group, or as
 * the fencing part of one).
 *
 * <p>The password goes to ipmitool in its environment ({@code -E}), never on its command line.
 */
public final class IpmiFencer implements HypervisorConnector {

    /** How to reach one host's BMC. */
    public record Bmc(String host, String address, int port, String user, String password) {
        public Bmc {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(user, "user");
            Objects.requireNonNull(password, "password");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("bad port " + port);
            }
        }
    }

    /** The power of a host as its BMC reads it. */
    public enum Power {
        ON,
        OFF
    }

    private static final Duration MARGIN = Duration.ofMillis(300);

    private final Map<String, Bmc> bmcs;
    private final String ipmitool;
    private final String cipherSuite;
    private final Duration callTimeout;
    private final Duration pollInterval;

    private IpmiFencer(Builder b) {
        this.bmcs = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(b.bmcs));
        this.ipmitool = b.ipmitool;
        this.cipherSuite = b.cipherSuite;
        this.callTimeout = b.callTimeout;
        this.pollInterval = b.pollInterval;
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The hosts it has a BMC for, in the order configured. */
    public List<String> hosts() {
        return List.copyOf(bmcs.keySet());
    }

    @Override
    public Outcome fence(Request.Fence r, Duration timeout) throws InterruptedException {
        Bmc bmc = bmcs.get(r.host());
        if (bmc == null) {
            return Outcome.failed("host " + r.host() + " has no BMC in the IPMI configuration");
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        // Unreachable now: nothing was changed; the service retries while the command has time.
        Power before = power(bmc, deadline);
        if (before == Power.OFF) {
            return Outcome.succeeded("power already reads off");
        }
        run(bmc, deadline, "chassis", "power", "off");
        String last = "no reading";
        while (System.nanoTime() < deadline) {
            try {
                if (power(bmc, deadline) == Power.OFF) {
                    return Outcome.succeeded("powered off, verified off");
                }
                last = "power still reads on";
            } catch (TransientException e) {
                last = e.getMessage();
            }
            long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
            if (left > 0) {
                Thread.sleep(Math.min(left, pollInterval.toMillis()));
            }
        }
        return Outcome.failed("power off sent, but off not confirmed in time: " + last);
    }

    /**
     * The power state of a host, read from its BMC.
     *
     * @throws TransientException when the BMC does not answer or answers something unreadable
     */
    public Power power(String host) throws InterruptedException {
        Bmc bmc = bmcs.get(host);
        if (bmc == null) {
            throw new IllegalArgumentException("host " + host + " has no BMC in the configuration");
        }
        return power(bmc, System.nanoTime() + callTimeout.toNanos());
    }

    private Power power(Bmc bmc, long deadline) throws InterruptedException {
        String out = run(bmc, deadline, "chassis", "power", "status").toLowerCase(Locale.ROOT);
        if (out.contains("power is off")) {
            return Power.OFF;
        }
        if (out.contains("power is on")) {
            return Power.ON;
        }
        throw new TransientException("unreadable power status from " + bmc.address() + ": " + out);
    }

    /** Runs ipmitool against a BMC; its output, or TransientException naming why it failed. */
    private String run(Bmc bmc, long deadline, String... command) throws InterruptedException {
        // Ends a little before the command's deadline, so that the answer says why (the BMC does
        // not
        // answer) rather than the service's bare timeout.
        long left = deadline - System.nanoTime() - MARGIN.toNanos();
        if (left <= 0) {
            throw new TransientException("no time left to reach the BMC of " + bmc.host());
        }
        long wait = Math.min(left, callTimeout.toNanos());
        List<String> cmd = new ArrayList<>();
        cmd.addAll(
                List.of(
                        ipmitool,
                        "-I",
                        "lanplus",
                        "-C",
                        cipherSuite,
                        "-H",
                        bmc.address(),
                        "-p",
                        Integer.toString(bmc.port()),
                        "-U",
                        bmc.user(),
                        "-E",
                        "-N",
                        "1",
                        "-R",
                        "1"));
        cmd.addAll(List.of(command));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
        pb.environment().put("IPMI_PASSWORD", bmc.password());
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + ipmitool + ": " + e.getMessage(), e);
        }
        try {
            if (!p.waitFor(wait, TimeUnit.NANOSECONDS)) {
                throw new TransientException(
                        "BMC of "
                                + bmc.host()
                                + " at "
                                + bmc.address()
                                + " did not answer in time");
            }
            String out = read(p.getInputStream()).trim();
            if (p.exitValue() != 0) {
                throw new TransientException(
                        "BMC of "
                                + bmc.host()
                                + " at "
                                + bmc.address()
                                + ":"
                                + bmc.port()
                                + ": "
                                + out);
            }
            return out;
        } finally {
            p.destroyForcibly();
        }
    }

    private static String read(InputStream in) {
        try {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    @Override
    public Outcome mapDisks(Request.MapDisks r, Duration timeout) {
        return Outcome.failed("the IPMI connector only fences");
    }

    @Override
    public Outcome restart(Request.Restart r, Duration timeout) {
        return Outcome.failed("the IPMI connector only fences");
    }

    @Override
    public Outcome migrate(Request.Migrate r, Duration timeout) {
        return Outcome.failed("the IPMI connector only fences");
    }

    /** Fences of the hosts it has a BMC for; nothing else. */
    @Override
    public boolean handles(Request request) {
        return request instanceof Request.Fence f && bmcs.containsKey(f.host());
    }

    /** A fence in doubt runs again: powering off is idempotent, and success is a reading of off. */
    @Override
    public Outcome runInDoubt(Request request, Duration timeout) throws InterruptedException {
        return run(request, timeout);
    }

    /**
     * A fencer from the {@code ipmi.} settings: for each host {@code ipmi.host.<host>.address},
     * {@code .port} (623), {@code .user}, and {@code .password} or {@code .password.file}; {@code
     * ipmi.ipmitool}, {@code ipmi.cipher.suite} (3), {@code ipmi.call.timeout} (10 s).
     */
    public static IpmiFencer fromSettings(io.vmres.connector.runtime.ConnectorSettings s) {
        Builder b = builder();
        for (String h : s.names("ipmi.host.", ".address")) {
            String p = "ipmi.host." + h;
            String password =
                    s.get(p + ".password")
                            .orElseGet(
                                    () -> {
                                        String file = s.require(p + ".password.file");
                                        try {
                                            return java.nio.file.Files.readString(
                                                            java.nio.file.Path.of(file))
                                                    .trim();
                                        } catch (IOException e) {
                                            throw new IllegalArgumentException(
                                                    "cannot read " + file + ": " + e, e);
                                        }
                                    });
            b.bmc(
                    h,
                    s.require(p + ".address"),
                    s.getInt(p + ".port", 623),
                    s.require(p + ".user"),
                    password);
        }
        s.get("ipmi.ipmitool").ifPresent(b::ipmitool);
        b.cipherSuite(s.getInt("ipmi.cipher.suite", 3));
        b.callTimeout(s.getDuration("ipmi.call.timeout", Duration.ofSeconds(10)));
        if (b.bmcs.isEmpty()) {
            throw new IllegalArgumentException("no ipmi.host.<host>.address in the configuration");
        }
        return b.build();
    }

    /** Builds an {@link IpmiFencer}. */
    public static final class Builder {
        private final Map<String, Bmc> bmcs = new LinkedHashMap<>();
        private String ipmitool = "ipmitool";
        private String cipherSuite = "3";
        private Duration callTimeout = Duration.ofSeconds(10);
        private Duration pollInterval = Duration.ofMillis(500);

        private Builder() {}

        public Builder bmc(String host, String address, int port, String user, String password) {
            bmcs.put(host, new Bmc(host, address, port, user, password));
            return this;
        }

        /** The ipmitool executable (default: {@code ipmitool} on the PATH). */
        public Builder ipmitool(String path) {
            this.ipmitool = Objects.requireNonNull(path, "path");
            return this;
        }

        /** The RMCP+ cipher suite (default 3: HMAC-SHA1, AES-CBC-128). */
        public Builder cipherSuite(int suite) {
            this.cipherSuite = Integer.toString(suite);
            return this;
        }

        /** The longest one ipmitool run may take (default 10 s). */
        public Builder callTimeout(Duration d) {
            this.callTimeout = Objects.requireNonNull(d, "d");
            return this;
        }

        /** The wait between two readings while waiting for off (default 500 ms). */
        public Builder pollInterval(Duration d) {
            this.pollInterval = Objects.requireNonNull(d, "d");
            return this;
        }

        public IpmiFencer build() {
            if (bmcs.isEmpty()) {
                throw new IllegalArgumentException("an IPMI connector needs at least one BMC");
            }
            return new IpmiFencer(this);
        }
    }
}
