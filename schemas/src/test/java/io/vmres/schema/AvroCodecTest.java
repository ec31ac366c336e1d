package io.vmres.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.apache.avro.Schema;
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
}
