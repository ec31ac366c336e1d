package io.vmres.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
import org.apache.avro.SchemaNormalization;
import org.apache.avro.generic.GenericData;
import org.apache.avro.generic.GenericRecord;
import org.apache.avro.message.BinaryMessageEncoder;
import org.junit.jupiter.api.Test;

class AvroCodecTest {
    private final AvroCodec codec = new AvroCodec();

    @Test
    void everyRecordTypeRoundTripsAndIsToldApartByItsFingerprint() throws Exception {
        Heartbeat hb =
                Heartbeat.newBuilder()
                        .setHost("h-001")
                        .setChannel(Channel.storage)
                        .setTs(Instant.parse("2026-03-01T10:00:00.250Z"))
                        .build();
        Vm vm =
                Vm.newBuilder()
                        .setVm("vm-1")
                        .setHost("h-001")
                        .setCpu(4)
                        .setMemMb(8192)
                        .setDisks(List.of("vol-a", "vol-b"))
                        .setTs(Instant.parse("2026-03-01T10:00:00Z"))
                        .build();

        assertThat(codec.decode(codec.encode(hb))).isEqualTo(hb);
        assertThat(codec.decode(codec.encode(vm))).isEqualTo(vm);
        // defaults of the spec: priority 500, HA
        assertThat(((Vm) codec.decode(codec.encode(vm))).getPriority()).isEqualTo(500);
        assertThat(((Vm) codec.decode(codec.encode(vm))).getHa()).isTrue();
    }

    @Test
    void undecodableBytesAreRejectedWithAReason() {
        assertThatThrownBy(() -> codec.decode(new byte[] {1, 2, 3}))
                .isInstanceOf(AvroCodec.BadRecordException.class)
                .hasMessageContaining("too short");
        assertThatThrownBy(() -> codec.decode("{\"type\":\"heartbeat\"}".getBytes()))
                .isInstanceOf(AvroCodec.BadRecordException.class)
                .hasMessageContaining("marker");

        byte[] unknown = new byte[12];
        unknown[0] = (byte) 0xC3;
        unknown[1] = 0x01;
        Arrays.fill(unknown, 2, 10, (byte) 0x7f);
        assertThatThrownBy(() -> codec.decode(unknown))
                .isInstanceOf(AvroCodec.BadRecordException.class)
                .hasMessageContaining("unknown schema fingerprint");

        byte[] truncated =
                Arrays.copyOf(
                        codec.encode(
                                Host.newBuilder()
                                        .setHost("h-1")
                                        .setCluster("c1")
                                        .setCpu(64)
                                        .setMemMb(262144)
                                        .setTs(Instant.EPOCH)
                                        .build()),
                        12);
        assertThatThrownBy(() -> codec.decode(truncated))
                .isInstanceOf(AvroCodec.BadRecordException.class)
                .hasMessageContaining("undecodable");
    }

    @Test
    void everyOptionalFieldHasADefaultSoOldReadersAndWritersStayCompatible() {
        for (Schema schema : AvroCodec.SCHEMAS) {
            for (Schema.Field f : schema.getFields()) {
                boolean nullable =
                        f.schema().getType() == Schema.Type.UNION
                                && f.schema().getTypes().get(0).getType() == Schema.Type.NULL;
                if (nullable) {
                    assertThat(f.hasDefaultValue())
                            .as("%s.%s is optional and needs a default", schema.getName(), f.name())
                            .isTrue();
                }
            }
        }
    }

    @Test
    void aRecordOfAnEarlierSchemaVersionDecodesIntoTheCurrentClass() throws Exception {
        Schema old = AvroCodec.history("Incident-1");
        assertThat(SchemaNormalization.parsingFingerprint64(old))
                .isNotEqualTo(SchemaNormalization.parsingFingerprint64(Incident.getClassSchema()));
        GenericRecord written = new GenericData.Record(old);
        written.put("incidentId", "inc-c1-0001");
        written.put(
                "kind", new GenericData.EnumSymbol(old.getField("kind").schema(), "HOST_FAILURE"));
        written.put("hosts", List.of("h-001"));
        written.put(
                "state", new GenericData.EnumSymbol(old.getField("state").schema(), "RECOVERED"));
        written.put("cluster", "c1");
        written.put("evidenceJson", "{}");
        written.put("ts", Instant.parse("2026-03-01T10:00:00Z").toEpochMilli());
        byte[] bytes =
                new BinaryMessageEncoder<GenericRecord>(GenericData.get(), old)
                        .encode(written)
                        .array();

        Incident read = (Incident) codec.decode(bytes);

        assertThat(read.getIncidentId()).isEqualTo("inc-c1-0001");
        assertThat(read.getKind()).isEqualTo(IncidentKind.HOST_FAILURE);
        assertThat(read.getState()).isEqualTo(IncidentState.RECOVERED);
        assertThat(read.getHosts()).containsExactly("h-001");
        assertThat(read.getTs()).isEqualTo(Instant.parse("2026-03-01T10:00:00Z"));
        assertThat(read.getFiguresJson()).isNull(); // added later: its default
    }
}
