package io.vmres.bench;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.EngineOptions;
import io.vmres.engine.Settings;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import io.vmres.engine.state.EngineState;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.ObjectInputStream;
import java.io.ObjectOutputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The checkpoint cost of one cluster's engine: the time to write and read its state, and its size
 * (printed at set-up), for a cluster of 1,000 and of 10,000 hosts with 10 VMs each, after a minute
 * of heartbeats; Java serialization (the state before version 2, kept as the baseline) beside the
 * compact state the job writes now.
 *
 * <p>{@code java -jar bench/target/benchmarks.jar EngineStateBenchmark -f 1 -wi 3 -i 5}
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class EngineStateBenchmark {

    /** A cluster engine that has seen its fleet and a minute of heartbeats. */
    @State(Scope.Benchmark)
    public static class Cluster {
        @Param({"1000", "10000"})
        public int hosts;

        @Param({"10"})
        public int vmsPerHost;

        ClusterEngine engine;
        byte[] bytes;
        byte[] compact;

        @Setup(Level.Trial)
        public void setUp() throws IOException {
            engine = engine(hosts, vmsPerHost);
            bytes = javaBytes(engine);
            compact = compactBytes(engine);
            print("Java serialization", bytes.length);
            print("compact state (EngineState v" + EngineState.VERSION + ")", compact.length);
        }

        private void print(String form, int n) {
            System.out.printf(
                    "%n%s, %d hosts, %d VMs: %,d bytes (%.0f per host, %.0f per VM)%n",
                    form,
                    hosts,
                    hosts * vmsPerHost,
                    n,
                    n / (double) hosts,
                    n / (double) (hosts * vmsPerHost));
        }
    }

    /** Java serialization of the whole engine (version 1 of the job's state): the baseline. */
    @Benchmark
    public byte[] write(Cluster c) throws IOException {
        return javaBytes(c.engine);
    }

    @Benchmark
    public Object read(Cluster c) throws IOException, ClassNotFoundException {
        try (ObjectInputStream in = new ObjectInputStream(new ByteArrayInputStream(c.bytes))) {
            return in.readObject();
        }
    }

    /** The compact state the job checkpoints now ({@link EngineState}). */
    @Benchmark
    public byte[] writeCompact(Cluster c) throws IOException {
        return compactBytes(c.engine);
    }

    @Benchmark
    public Object readCompact(Cluster c) throws IOException {
        return EngineState.read(new DataInputStream(new ByteArrayInputStream(c.compact)));
    }

    static byte[] compactBytes(ClusterEngine engine) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        EngineState.write(engine, new DataOutputStream(out));
        return out.toByteArray();
    }

    static byte[] javaBytes(ClusterEngine engine) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream(1 << 20);
        try (ObjectOutputStream o = new ObjectOutputStream(out)) {
            o.writeObject(engine);
        }
        return out.toByteArray();
    }

    /** Hosts in racks of 40, VMs of 1 to 4 cores, heartbeats every 5 s on both channels. */
    static ClusterEngine engine(int hosts, int vmsPerHost) {
        ClusterEngine engine =
                new ClusterEngine(
                        "c1",
                        Settings.DEFAULTS,
                        EngineOptions.external()
                                .withPredictionsFromInput()
                                .retainingEnded(EngineOptions.DEFAULT_ENDED_RETENTION));
        Output none =
                new Output() {
                    @Override
                    public void command(CommandOut command) {}

                    @Override
                    public void result(ResultOut result) {}

                    @Override
                    public void incident(IncidentOut incident) {}

                    @Override
                    public void alert(AlertOut alert) {}
                };
        long t0 = 1_772_359_200_000L;
        long seq = 0;
        List<Event> inventory = new ArrayList<>();
        for (int h = 0; h < hosts; h++) {
            String id = String.format("h%05d", h);
            inventory.add(
                    new HostEvent(
                            t0,
                            seq++,
                            id,
                            "c1",
                            64,
                            262144,
                            String.format("r%03d", h / 40),
                            String.format("p%03d", h / 80),
                            "kvm",
                            List.of("sd" + h % 4),
                            false,
                            true));
            for (int v = 0; v < vmsPerHost; v++) {
                int n = h * vmsPerHost + v;
                inventory.add(
                        new VmEvent(
                                t0,
                                seq++,
                                String.format("vm%07d", n),
                                id,
                                1 + n % 4,
                                2048 * (1 + n % 3),
                                100 * (n % 10),
                                n % 20 != 0,
                                n % 5 == 0 ? "g" + n / 5 % 1000 : null,
                                "sd" + h % 4,
                                List.of(String.format("vol%07d", n)),
                                List.of()));
            }
        }
        engine.advance(t0, inventory, none);
        for (long t = t0 + 1000; t <= t0 + 60_000; t += 5000) {
            List<Event> beats = new ArrayList<>();
            for (int h = 0; h < hosts; h++) {
                String id = String.format("h%05d", h);
                beats.add(new Heartbeat(t, seq++, id, "mgmt"));
                beats.add(new Heartbeat(t, seq++, id, "storage"));
            }
            engine.advance(t, beats, none);
        }
        return engine;
    }
}
