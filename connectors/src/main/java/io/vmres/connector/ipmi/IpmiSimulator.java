package io.vmres.connector.ipmi;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * OpenIPMI's BMC simulator {@code ipmi_sim} on loopback, for tests and trials of the IPMI
 * connector: a BMC on a free UDP port with one admin user, whose chassis keeps its power in a file
 * ({@link #poweredOn()}, {@link #powerOn()}). Needs {@code ipmi_sim} (Debian's openipmi) and, to
 * wait until it answers, {@code ipmitool}: {@code bin/setup --with ipmi}.
 *
 * <pre>{@code
 * try (IpmiSimulator bmc = IpmiSimulator.start(dir, "admin", "s3cret")) {
 *   IpmiFencer ipmi = IpmiFencer.builder().bmc("h1", "127.0.0.1", bmc.port(), "admin", "s3cret").build();
 * }
 * }</pre>
 */
public final class IpmiSimulator implements AutoCloseable {
    private final Path dir;
    private final int port;
    private final Process process;

    private IpmiSimulator(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Whether {@code ipmi_sim} and {@code ipmitool} are on the PATH. */
    public static boolean available() {
        return onPath("ipmi_sim") && onPath("ipmitool");
    }

    private static boolean onPath(String tool) {
        for (String d : System.getenv().getOrDefault("PATH", "").split(":")) {
            if (!d.isEmpty() && Files.isExecutable(Path.of(d, tool))) {
                return true;
            }
        }
        return false;
    }

    /**
     * Writes the simulator's files into {@code dir} (which must exist), starts it with the host
     * powered on, and waits (up to 15 s) until it answers a power reading.
     */
    public static IpmiSimulator start(Path dir, String user, String password)
            throws IOException, InterruptedException {
        int port = freeUdpPort();
        Path chassis = dir.resolve("chassis");
        write(
                chassis,
                "#!/bin/sh",
                "# ipmi_sim calls: chassis MC get|set PARMS; the power is kept in a file",
                "d=$(dirname \"$0\"); shift; op=$1; shift",
                "case \"$op\" in",
                "  get) for p in \"$@\"; do",
                "         case \"$p\" in power) echo \"power:$(cat \"$d/power\")\" ;; esac",
                "       done ;;",
                "  set) while [ $# -gt 1 ]; do",
                "         case \"$1\" in power) echo \"$2\" > \"$d/power\" ;; esac; shift 2",
                "       done ;;",
                "esac",
                "exit 0");
        Files.setPosixFilePermissions(chassis, PosixFilePermissions.fromString("rwx------"));
        write(dir.resolve("power"), "1");
        write(
                dir.resolve("lan.conf"),
                "name \"vmres-sim\"",
                "set_working_mc 0x20",
                "  startlan 1",
                "    addr 127.0.0.1 " + port,
                "    priv_limit admin",
                "    allowed_auths_callback md5",
                "    allowed_auths_user md5",
                "    allowed_auths_operator md5",
                "    allowed_auths_admin md5",
                "    guid a123456789abcdefa123456789abcdef",
                "  endlan",
                "  chassis_control \"" + chassis + " 0x20\"",
                "  user 2 true \"" + user + "\" \"" + password + "\" admin 10 md5");
        write(
                dir.resolve("bmc.emu"),
                "mc_setbmc 0x20",
                "mc_add 0x20 0 no-device-sdrs 0x23 9 8 0x9f 0x1291 0xf02 persist_sdr",
                "mc_enable 0x20");
        Files.createDirectories(dir.resolve("state"));
        Process p =
                new ProcessBuilder(
                                "ipmi_sim",
                                "-c",
                                dir.resolve("lan.conf").toString(),
                                "-f",
                                dir.resolve("bmc.emu").toString(),
                                "-s",
                                dir.resolve("state").toString(),
                                "-n")
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("ipmi_sim.log").toFile())
                        .start();
        IpmiSimulator sim = new IpmiSimulator(dir, port, p);
        IpmiFencer probe =
                IpmiFencer.builder()
                        .bmc("probe", "127.0.0.1", port, user, password)
                        .callTimeout(Duration.ofSeconds(3))
                        .build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
        while (true) {
            try {
                probe.power("probe");
                return sim;
            } catch (RuntimeException e) {
                if (System.nanoTime() > deadline || !p.isAlive()) {
                    sim.close();
                    throw new IllegalStateException(
                            "ipmi_sim did not come up: "
                                    + Files.readString(dir.resolve("ipmi_sim.log")),
                            e);
                }
                Thread.sleep(100);
            }
        }
    }

    /** The UDP port it listens on, at 127.0.0.1. */
    public int port() {
        return port;
    }

    /** Whether the simulated chassis is powered on. */
    public boolean poweredOn() {
        try {
            return !Files.readString(dir.resolve("power")).trim().equals("0");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Powers the simulated chassis on again (a repaired host). */
    public void powerOn() {
        try {
            write(dir.resolve("power"), "1");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A free UDP port on this machine (where nothing answers, for an unreachable BMC). */
    public static int freeUdpPort() throws IOException {
        try (DatagramSocket s = new DatagramSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
        }
    }

    private static void write(Path file, String... lines) throws IOException {
        Files.writeString(file, String.join("\n", lines) + "\n", StandardCharsets.UTF_8);
    }
}
