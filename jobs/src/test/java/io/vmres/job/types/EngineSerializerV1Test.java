package io.vmres.job.types;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.EngineOptions;
import io.vmres.engine.Settings;
import io.vmres.engine.recording.LocalReplay;
import io.vmres.engine.state.SwappingEngine;
import io.vmres.job.types.legacy.V1State;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InvalidClassException;
import java.io.ObjectOutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * State of version 1 (Java serialization of the engine before its stages were split out, {@code
 * src/test/resources/state/engine-v1}) is restored through the serializer its snapshot restores,
 * and the replay going on with it from the instant it was taken writes the same bytes as an
 * uninterrupted replay.
 */
class EngineSerializerV1Test {
    private static final String DIR = "/state/engine-v1/";

    @ParameterizedTest
    @ValueSource(
            strings = {
                "retries-and-dependencies-c1",
                "several-clusters-at-once-c1",
                "several-clusters-at-once-c2",
                "drain-then-failure-c1",
                "no-bmc-rack-c1"
            })
    void engineOfVersion1GoesOnAsTheUninterruptedReplay(String name, @TempDir Path tmp)
            throws IOException {
        Properties p = new Properties();
        try (InputStream in = resource(name + ".properties")) {
            p.load(in);
        }
        String cluster = p.getProperty("cluster");
        long instant = Long.parseLong(p.getProperty("instant"));
        Path recording = recording(p.getProperty("recording"));
        ClusterEngine restored = restore(resource(name + ".engine").readAllBytes());
        assertThat(restored.cluster()).isEqualTo(cluster);

        Path whole = tmp.resolve("whole");
        Path cut = tmp.resolve("cut");
        LocalReplay.run(recording, whole, Map.of());
        AtomicInteger swaps = new AtomicInteger();
        LocalReplay.run(
                recording,
                cut,
                Map.of(),
                (c, settings) -> {
                    ClusterEngine e = new ClusterEngine(c, settings, EngineOptions.simulated());
                    if (!c.equals(cluster)) {
                        return e;
                    }
                    return new SwappingEngine(
                            e,
                            new long[] {instant},
                            ran -> {
                                swaps.incrementAndGet();
                                return restored;
                            });
                });
        assertThat(swaps.get()).isEqualTo(1);
        EngineStateSerializerTest.assertSameFiles(whole, cut);
    }

    @Test
    void version1LacksTheClockSkewAndTakesItsDefault() throws IOException {
        ClusterEngine e = restore(resource("drain-then-failure-c1.engine").readAllBytes());
        DataOutputSerializer out = new DataOutputSerializer(4096);
        new EngineStateSerializer().serialize(e, out);
        ClusterEngine again =
                new EngineStateSerializer()
                        .deserialize(new DataInputDeserializer(out.getCopyOfBuffer()));
        assertThat(again.options()).isEqualTo(EngineOptions.simulated());
        assertThat(again.settings().maxClockSkewMs()).isEqualTo(Settings.DEFAULTS.maxClockSkewMs());
    }

    @Test
    void oldSnapshotRestoresAVersion1ReaderAndTheNewSerializerMigratesFromIt() throws IOException {
        TypeSerializerSnapshot<ClusterEngine> old = oldSnapshot();
        assertThat(old).isInstanceOf(EngineSerializer.Snapshot.class);
        assertThat(old.restoreSerializer()).isInstanceOf(EngineSerializer.class);

        TypeSerializerSnapshot<ClusterEngine> now =
                new EngineStateSerializer().snapshotConfiguration();
        TypeSerializerSchemaCompatibility<ClusterEngine> fromOld =
                now.resolveSchemaCompatibility(old);
        assertThat(fromOld.isCompatibleAfterMigration()).isTrue();

        DataOutputSerializer out = new DataOutputSerializer(64);
        TypeSerializerSnapshot.writeVersionedSnapshot(out, now);
        TypeSerializerSnapshot<ClusterEngine> read =
                TypeSerializerSnapshot.readVersionedSnapshot(
                        new DataInputDeserializer(out.getCopyOfBuffer()),
                        getClass().getClassLoader());
        assertThat(now.resolveSchemaCompatibility(read).isCompatibleAsIs()).isTrue();
        assertThat(read.restoreSerializer()).isEqualTo(new EngineStateSerializer());
    }

    @Test
    void version1ReadsNoClassOutsideTheOldEngine() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ObjectOutputStream o = new ObjectOutputStream(bytes)) {
            o.writeObject(new java.util.Date(0)); // any class outside the old engine's set
        }
        assertThatThrownBy(() -> V1State.read(bytes.toByteArray()))
                .isInstanceOf(InvalidClassException.class);
    }

    /** Through Flink's path: the snapshot read as a checkpoint holds it, its serializer. */
    static ClusterEngine restore(byte[] engineBytes) {
        try {
            TypeSerializer<ClusterEngine> serializer = oldSnapshot().restoreSerializer();
            return serializer.deserialize(new DataInputDeserializer(engineBytes));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static TypeSerializerSnapshot<ClusterEngine> oldSnapshot() throws IOException {
        byte[] snapshot = resource("engine-serializer.snapshot").readAllBytes();
        return TypeSerializerSnapshot.readVersionedSnapshot(
                new DataInputDeserializer(snapshot), EngineSerializerV1Test.class.getClassLoader());
    }

    private static InputStream resource(String name) {
        InputStream in = EngineSerializerV1Test.class.getResourceAsStream(DIR + name);
        assertThat(in).as(name).isNotNull();
        return in;
    }

    private static Path recording(String name) {
        for (Path dir :
                List.of(
                        Paths.get("src/test/resources/recordings"),
                        Paths.get("../../shared/scenarios"))) {
            Path p = dir.resolve(name);
            if (Files.exists(p)) {
                return p;
            }
        }
        throw new IllegalArgumentException("no recording " + name);
    }
}
