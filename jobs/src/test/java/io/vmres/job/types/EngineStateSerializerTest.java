package io.vmres.job.types;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.EngineOptions;
import io.vmres.engine.recording.LocalReplay;
import io.vmres.engine.state.SwappingEngine;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The state serializer of the job's engines: every recording, with every cluster's engine written
 * and read by it at five instants spread over the recording and the replay going on with the engine
 * read, writes the same bytes as an uninterrupted replay; an engine read writes the same bytes
 * again.
 */
class EngineStateSerializerTest {
    static final int CUTS = 5;

    static Stream<Path> recordings() throws IOException {
        List<Path> all = new ArrayList<>();
        for (Path dir :
                List.of(
                        Paths.get("src/test/resources/recordings"),
                        Paths.get("../../shared/scenarios"))) {
            if (!Files.isDirectory(dir)) {
                continue;
            }
            try (Stream<Path> files = Files.list(dir)) {
                files.filter(p -> p.getFileName().toString().endsWith(".jsonl"))
                        .sorted()
                        .forEach(all::add);
            }
        }
        assertThat(all).isNotEmpty();
        return all.stream();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("recordings")
    void restoredEnginesDecideByteForByteAsTheUninterruptedReplay(Path recording, @TempDir Path tmp)
            throws IOException {
        Path whole = tmp.resolve("whole");
        Path cut = tmp.resolve("cut");
        long[] cuts = wholeReplay(recording, whole);
        AtomicInteger swaps = new AtomicInteger();
        LocalReplay.run(
                recording,
                cut,
                Map.of(),
                (cluster, settings) ->
                        new SwappingEngine(
                                new ClusterEngine(cluster, settings, EngineOptions.simulated()),
                                cuts,
                                e -> {
                                    swaps.incrementAndGet();
                                    return roundTrip(e);
                                }));
        assertThat(swaps.get()).isPositive();
        assertSameFiles(whole, cut);
    }

    /** Writes and reads the engine with the serializer; the engine read writes the same bytes. */
    static ClusterEngine roundTrip(ClusterEngine engine) {
        try {
            EngineStateSerializer serializer = new EngineStateSerializer();
            byte[] bytes = bytes(serializer, engine);
            ClusterEngine read = serializer.deserialize(new DataInputDeserializer(bytes));
            assertThat(bytes(serializer, read)).isEqualTo(bytes);
            return read;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static byte[] bytes(EngineStateSerializer serializer, ClusterEngine engine) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(4096);
        serializer.serialize(engine, out);
        return out.getCopyOfBuffer();
    }

    /**
     * Replays the recording uninterrupted into {@code out}; returns {@link #CUTS} instants spread
     * evenly over those its engines ran (the earlier ones, where most state is in flight, among
     * them).
     */
    static long[] wholeReplay(Path recording, Path out) throws IOException {
        TreeSet<Long> instants = new TreeSet<>();
        LocalReplay.run(
                recording,
                out,
                Map.of(),
                (cluster, settings) ->
                        new SwappingEngine(
                                new ClusterEngine(cluster, settings, EngineOptions.simulated()),
                                new long[0],
                                e -> e,
                                instants::add));
        List<Long> all = new ArrayList<>(instants);
        long[] cuts = new long[Math.min(CUTS, all.size())];
        for (int i = 0; i < cuts.length; i++) {
            cuts[i] = all.get((int) ((long) all.size() * i / cuts.length));
        }
        return cuts;
    }

    @org.junit.jupiter.api.Test
    void aLiveEngineKeepsItsOptionsAndIdEpochThroughACheckpoint() throws IOException {
        EngineOptions options =
                EngineOptions.external()
                        .withPredictionsFromInput()
                        .retainingEnded(EngineOptions.DEFAULT_ENDED_RETENTION)
                        .withIdEpoch("tb3x5c");
        ClusterEngine engine = new ClusterEngine("c1", io.vmres.engine.Settings.DEFAULTS, options);
        EngineStateSerializer serializer = new EngineStateSerializer();
        DataOutputSerializer out = new DataOutputSerializer(256);
        serializer.serialize(engine, out);
        ClusterEngine back =
                serializer.deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(back.options()).isEqualTo(options);
    }

    static void assertSameFiles(Path expected, Path actual) throws IOException {
        List<String> names = new ArrayList<>();
        try (Stream<Path> files = Files.list(expected)) {
            files.forEach(p -> names.add(p.getFileName().toString()));
        }
        assertThat(names).isNotEmpty();
        for (String name : names) {
            assertThat(Files.readAllBytes(actual.resolve(name)))
                    .as(name)
                    .isEqualTo(Files.readAllBytes(expected.resolve(name)));
        }
    }
}
