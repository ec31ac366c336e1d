package io.vmres.connector.power;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.DatagramSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.snmp4j.Snmp;
import org.snmp4j.transport.DefaultUdpTransportMapping;

/**
 * A UPS's SNMP agent for tests and trials of the power-domain connector: Debian's {@code snmpd} on
 * a free loopback UDP port, with a {@code pass} script that answers the UPS-MIB's {@code
 * upsOutputSource.0} and {@code upsBatteryStatus.0} (RFC 1628) from files, so that a test switches
 * the UPS's output with {@link #outputSource}. {@link #freeze} stops the agent's process ({@code
 * SIGSTOP}) to make it unresponsive. Needs {@code snmpd}: {@code bin/setup --with snmp}.
 */
public final class UpsAgentSimulator implements AutoCloseable {
    /** Where Debian installs the agent. */
    public static final Path SNMPD = Path.of("/usr/sbin/snmpd");

    private final Path dir;
    private final int port;
    private final Process process;

    private UpsAgentSimulator(Path dir, int port, Process process) {
        this.dir = dir;
        this.port = port;
        this.process = process;
    }

    /** Whether {@code snmpd} is installed. */
    public static boolean available() {
        return Files.isExecutable(SNMPD);
    }

    /**
     * Writes the agent's files into {@code dir} (which must exist), starts it with the UPS's output
     * {@code normal(3)}, and waits (up to 15 s) until it answers.
     */
    public static UpsAgentSimulator start(Path dir, String community)
            throws IOException, InterruptedException {
        int port;
        try (DatagramSocket s = new DatagramSocket(0)) {
            port = s.getLocalPort();
        }
        Path script = dir.resolve("ups-mib.sh");
        SimulatorProcess.write(
                script,
                "#!/bin/sh",
                "# snmpd pass: -g OID (get), -n OID (getnext: not served), -s (set: refused)",
                "d=$(dirname \"$0\")",
                "[ \"$1\" = -g ] || exit 0",
                "case \"$2\" in",
                "  ." + UpsMib.UPS_OUTPUT_SOURCE + ") v=$(cat \"$d/output-source\") ;;",
                "  ." + UpsMib.UPS_BATTERY_STATUS + ") v=$(cat \"$d/battery-status\") ;;",
                "  *) exit 0 ;;",
                "esac",
                "# 'missing' answers nothing: snmpd then says noSuchInstance",
                "[ \"$v\" = missing ] && exit 0",
                "printf '%s\\ninteger\\n%s\\n' \"$2\" \"$v\"");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwx------"));
        SimulatorProcess.write(dir.resolve("output-source"), "3");
        SimulatorProcess.write(dir.resolve("battery-status"), "2");
        Path persist = Files.createDirectories(dir.resolve("persist"));
        SimulatorProcess.write(
                dir.resolve("snmpd.conf"),
                "rocommunity " + community + " 127.0.0.1",
                "pass .1.3.6.1.2.1.33 /bin/sh " + script,
                "persistentDir " + persist);
        ProcessBuilder pb =
                new ProcessBuilder(
                                SNMPD.toString(),
                                "-f",
                                "-C",
                                "-c",
                                dir.resolve("snmpd.conf").toString(),
                                "-Lf",
                                dir.resolve("snmpd.log").toString(),
                                "-p",
                                dir.resolve("snmpd.pid").toString(),
                                "udp:127.0.0.1:" + port)
                        .redirectErrorStream(true)
                        .redirectOutput(dir.resolve("snmpd.out").toFile());
        pb.environment().put("SNMP_PERSISTENT_DIR", persist.toString());
        pb.environment().put("MIBS", ""); // no MIB files to load: the agent needs none
        UpsAgentSimulator sim = new UpsAgentSimulator(dir, port, pb.start());
        DefaultUdpTransportMapping transport = new DefaultUdpTransportMapping();
        try (Snmp snmp = new Snmp(transport)) {
            transport.listen();
            SnmpUps probe = new SnmpUps(snmp, sim.address(), community, 0);
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
            while (!probe.read(Set.of(), TimeUnit.MILLISECONDS.toNanos(500)).answered()) {
                if (System.nanoTime() > deadline || !sim.process.isAlive()) {
                    sim.close();
                    throw new IllegalStateException(
                            "snmpd did not come up: " + Files.readString(dir.resolve("snmpd.out")));
                }
            }
        }
        return sim;
    }

    /** The agent's address, as the settings name it: {@code udp:127.0.0.1/PORT}. */
    public String address() {
        return "udp:127.0.0.1/" + port;
    }

    /**
     * Sets {@code upsOutputSource}: 2 none (no output), 3 normal, 5 battery, or {@code missing}.
     */
    public void outputSource(String value) {
        try {
            SimulatorProcess.write(dir.resolve("output-source"), value);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Stops ({@code true}) or resumes the agent's process: a UPS that does not answer. */
    public void freeze(boolean frozen) throws IOException, InterruptedException {
        Process kill =
                new ProcessBuilder("kill", frozen ? "-STOP" : "-CONT", Long.toString(process.pid()))
                        .inheritIO()
                        .start();
        if (kill.waitFor() != 0) {
            throw new IOException("kill of snmpd " + process.pid() + " failed");
        }
    }

    @Override
    public void close() {
        try {
            freeze(false); // a stopped process does not end on SIGTERM
        } catch (IOException e) {
            // it may be gone already; destroy below
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        SimulatorProcess.stop(process);
    }
}
