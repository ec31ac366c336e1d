package io.vmres.deploy.cli;

import io.vmres.deploy.runtime.Lifecycle;
import io.vmres.schema.KafkaEndpoint;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The work behind each subcommand, given its validated options; the commands only parse and check.
 * {@link WiredActions} is the production implementation; tests pass their own.
 *
 * <p>Each method returns the process exit code (0 ok, 1 failure). Whatever it starts that must
 * outlive the method, or be stopped on Ctrl-C, it registers with the {@link Lifecycle}.
 */
public interface Actions {

    /** {@code vmres demo}: the main job on the embedded runtime against a simulated fleet. */
    int demo(DemoArgs args, Lifecycle lifecycle) throws Exception;

    /** {@code vmres replay}: runs a recording through the job, deterministically. */
    int replay(ReplayArgs args, Lifecycle lifecycle) throws Exception;

    /** {@code vmres record}: writes what flows on the vmres topics to a recording file. */
    int record(RecordArgs args, Lifecycle lifecycle) throws Exception;

    /** {@code vmres confirm}: an operator's confirmation that a host without a BMC is down. */
    int confirm(ConfirmArgs args, Lifecycle lifecycle) throws Exception;

    /** {@code vmres connector}: runs one connector service until Ctrl-C. */
    int connector(ConnectorArgs args, Lifecycle lifecycle) throws Exception;

    /** {@code vmres generate}: writes a recording of a simulated fleet with host crashes. */
    int generate(GenerateArgs args, Lifecycle lifecycle) throws Exception;

    /**
     * {@code vmres bench}: measures how fast a generated recording replays, or how fast a rack's
     * VMs are recovered.
     */
    int bench(BenchArgs args, Lifecycle lifecycle) throws Exception;

    /** {@code vmres dashboard}: serves the streaming dashboard of a running vmres. */
    default int dashboard(DashboardArgs args, Lifecycle lifecycle) throws Exception {
        throw new NotWiredException("dashboard");
    }

    /**
     * Where the dashboard listens: its port and address, the token it requires, if any, and the
     * names beyond its own that a request's Host header may give.
     */
    record DashboardOptions(
            int port, String bind, Optional<String> token, List<String> allowHosts) {
        public DashboardOptions {
            allowHosts = List.copyOf(allowHosts);
        }

        public DashboardOptions(int port, String bind, Optional<String> token) {
            this(port, bind, token, List.of());
        }

        /** The dashboard of {@code vmres demo} and {@code vmres replay --dashboard}: loopback. */
        public static DashboardOptions local(int port) {
            return new DashboardOptions(port, "127.0.0.1", Optional.empty());
        }
    }

    /** Options of {@code vmres dashboard}. */
    record DashboardArgs(KafkaEndpoint kafka, DashboardOptions listen) {
        /** The dashboard of a Kafka reached in plain text. */
        public DashboardArgs(String bootstrap, DashboardOptions listen) {
            this(KafkaEndpoint.of(bootstrap), listen);
        }
    }

    /** Options of {@code vmres demo}; an empty duration means until Ctrl-C. */
    record DemoArgs(
            Optional<Duration> duration,
            int hosts,
            int vmsPerHost,
            Duration crashEvery,
            long seed,
            Optional<DashboardOptions> dashboard) {
        /** The demo with its dashboard on the default port. */
        public DemoArgs(
                Optional<Duration> duration,
                int hosts,
                int vmsPerHost,
                Duration crashEvery,
                long seed) {
            this(
                    duration,
                    hosts,
                    vmsPerHost,
                    crashEvery,
                    seed,
                    Optional.of(DashboardOptions.local(DashboardCommand.DEFAULT_PORT)));
        }
    }

    /** Options of {@code vmres replay}; settings override the recording's {@code meta.config}. */
    record ReplayArgs(
            Path recording,
            Path out,
            Map<String, String> settings,
            int parallelism,
            Optional<Path> config,
            Optional<ReplayDashboard> dashboard) {
        /** A replay without a dashboard. */
        public ReplayArgs(
                Path recording,
                Path out,
                Map<String, String> settings,
                int parallelism,
                Optional<Path> config) {
            this(recording, out, settings, parallelism, config, Optional.empty());
        }
    }

    /** {@code vmres replay --dashboard}: event time {@code speed} times as fast as the clock. */
    record ReplayDashboard(double speed, DashboardOptions listen) {}

    /**
     * Options of {@code vmres record}; an empty duration means until Ctrl-C; {@code fromNow} skips
     * what the topics already hold.
     */
    record RecordArgs(Path out, Optional<Duration> duration, KafkaEndpoint kafka, boolean fromNow) {
        /** A recording of a Kafka reached in plain text. */
        public RecordArgs(
                Path out, Optional<Duration> duration, String bootstrap, boolean fromNow) {
            this(out, duration, KafkaEndpoint.of(bootstrap), fromNow);
        }
    }

    /**
     * Options of {@code vmres confirm}; {@code answerWait} is how long to wait for the job's answer
     * (zero: only send).
     */
    record ConfirmArgs(
            String host,
            String reason,
            String requestedBy,
            KafkaEndpoint kafka,
            Duration answerWait) {
        /** How long {@code vmres confirm} waits for the job's answer unless told otherwise. */
        public static final Duration DEFAULT_WAIT = Duration.ofSeconds(30);

        /** A confirmation to a Kafka reached in plain text. */
        public ConfirmArgs(
                String host,
                String reason,
                String requestedBy,
                String bootstrap,
                Duration answerWait) {
            this(host, reason, requestedBy, KafkaEndpoint.of(bootstrap), answerWait);
        }

        /** A confirmation that waits the default time for the job's answer. */
        public ConfirmArgs(String host, String reason, String requestedBy, String bootstrap) {
            this(host, reason, requestedBy, bootstrap, DEFAULT_WAIT);
        }
    }

    /** Options of {@code vmres connector}. */
    record ConnectorArgs(ConnectorType type, Optional<Path> config, KafkaEndpoint kafka) {
        /** A connector on a Kafka reached in plain text. */
        public ConnectorArgs(ConnectorType type, Optional<Path> config, String bootstrap) {
            this(type, config, KafkaEndpoint.of(bootstrap));
        }
    }

    /** Options of {@code vmres generate}. */
    record GenerateArgs(
            Path out,
            int hosts,
            int vmsPerHost,
            Duration duration,
            int clusters,
            int failures,
            long seed,
            Duration heartbeatInterval,
            boolean rackPowerLoss) {}

    /**
     * Options of {@code vmres bench}: what to measure, on a recording of this size; {@code plot},
     * {@code recording} and {@code seed} are for {@code recovery}.
     */
    record BenchArgs(
            BenchTarget target,
            int hosts,
            Duration duration,
            int runs,
            int parallelism,
            Optional<Path> json,
            Optional<Path> plot,
            Optional<Path> recording,
            long seed,
            Path out,
            java.util.List<Integer> sizes,
            boolean full,
            String command) {}

    /** What {@code vmres bench} measures. */
    enum BenchTarget {
        /** {@code vmres replay} of a generated recording. */
        REPLAY,
        /** A rack's recovery in event time, parallel against serial and the lower bound. */
        RECOVERY;

        /** The name on the command line. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    /** The kinds of connector {@code vmres connector --type} runs. */
    enum ConnectorType {
        /** The simulated fleet's hypervisor: needs no configuration. */
        SIM,
        /** libvirt hypervisors (restart, migrate, map disks). */
        LIBVIRT,
        /** Fencing and power readings through a host's BMC over IPMI. */
        IPMI,
        /** Power-domain readings of PDUs (Redfish) and UPSes (SNMP); runs no command. */
        PDU;

        /** Whether the connector needs a {@code --config} file to reach its hypervisors. */
        public boolean needsConfig() {
            return this != SIM;
        }

        /** The name on the command line. */
        @Override
        public String toString() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }
}
