package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.Heartbeat;
import io.vmres.schema.DeadLetters;
import java.io.IOException;
import java.time.Instant;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.junit.jupiter.api.Test;

/** A decoded record crosses the network whole: its partition and the append time step it tells. */
class DecodedSerializerTest {
    private static Decoded copy(Decoded d) throws IOException {
        DataOutputSerializer out = new DataOutputSerializer(64);
        Decoded.Serializer.INSTANCE.serialize(d, out);
        return Decoded.Serializer.INSTANCE.deserialize(
                new DataInputDeserializer(out.getCopyOfBuffer()));
    }

    @Test
    void theStepToldSurvivesTheWire() throws IOException {
        Decoded beat =
                Decoded.event(new Heartbeat(1_000, 3, "h1", "mgmt"), null)
                        .from("vmres.telemetry.heartbeat-2");
        assertThat(copy(beat.telling(19_000))).isEqualTo(beat.telling(19_000));
        assertThat(copy(beat.telling(-19_000))).isEqualTo(beat.telling(-19_000));
        assertThat(copy(beat)).isEqualTo(beat);
        assertThat(copy(beat).appendStep()).isZero();
        Decoded bad =
                Decoded.bad(
                                DeadLetters.of(
                                        "vmres.telemetry.heartbeat/2@7",
                                        7L,
                                        "undecodable",
                                        new byte[] {1, 2},
                                        Instant.ofEpochMilli(1_000)))
                        .telling(250);
        assertThat(copy(bad).appendStep()).isEqualTo(250);
        assertThat(copy(bad).deadLetter()).isEqualTo(bad.deadLetter());
    }
}
