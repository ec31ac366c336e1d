package io.vmres.schema.recording;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.schema.Action;
import io.vmres.schema.Channel;
import io.vmres.schema.Command;
import io.vmres.schema.Health;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Vm;
import java.io.StringWriter;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RecordingLineTest {
    private static final Instant TS = Instant.parse("2026-03-01T10:00:00.250Z");

    @Test
    void aVmBecomesTheSpecsLineWithoutItsNullFields() {
        Vm vm =
                Vm.newBuilder()
                        .setVm("vm1")
                        .setHost("h1")
                        .setCpu(4)
                        .setMemMb(8192)
                        .setPriority(700)
                        .setHa(true)
                        .setAntiAffinityGroup(null)
                        .setStorageDomain("sd1")
                        .setDisks(List.of("vol1", "vol2"))
                        .setDependsOn(null)
                        .setTs(TS)
                        .build();
        assertThat(RecordingLine.of(vm).toString())
                .isEqualTo(
                        "{\"type\":\"vm\",\"ts\":\"2026-03-01T10:00:00.250Z\",\"vm\":\"vm1\",\"host\":\"h1\","
                                + "\"cpu\":4,\"memMb\":8192,\"priority\":700,\"ha\":true,"
                                + "\"storageDomain\":\"sd1\",\"disks\":[\"vol1\",\"vol2\"]}");
    }

    @Test
    void aNumberKeepsItsFractionOnlyWhenItHasOne() {
        Health h =
                Health.newBuilder()
                        .setHost("h1")
                        .setSensor("inlet_temp_c")
                        .setValue(21.5)
                        .setTs(TS)
                        .build();
        assertThat(RecordingLine.of(h).get("value").toString()).isEqualTo("21.5");
        h.setValue(21.0);
        assertThat(RecordingLine.of(h).get("value").toString()).isEqualTo("21");
    }

    @Test
    void whatIsNoInputEventOrNoJsonNumberHasNoLine() {
        Command command =
                Command.newBuilder()
                        .setCommandId("c1")
                        .setIncidentId("i1")
                        .setAction(Action.FENCE_HOST)
                        .setHost("h1")
                        .setAttempt(1)
                        .setTs(TS)
                        .build();
        assertThat(RecordingLine.type(command)).isEmpty();
        assertThatThrownBy(() -> RecordingLine.of(command))
                .hasMessageContaining("Command is not an input event");
        Health nan =
                Health.newBuilder()
                        .setHost("h1")
                        .setSensor("fan_failed")
                        .setValue(Double.NaN)
                        .setTs(TS)
                        .build();
        assertThatThrownBy(() -> RecordingLine.of(nan)).hasMessageContaining("value is NaN");
    }

    @Test
    void theMetaLineNamesTheRecordingAndItsSettings() {
        assertThat(RecordingLine.meta("crash", "recorded").toString())
                .isEqualTo("{\"type\":\"meta\",\"name\":\"crash\",\"description\":\"recorded\"}");
        Map<String, String> config = new LinkedHashMap<>();
        config.put("heartbeatTimeout", "PT20S");
        assertThat(RecordingLine.meta("slow", "generated", config).toString())
                .isEqualTo(
                        "{\"type\":\"meta\",\"name\":\"slow\",\"description\":\"generated\","
                                + "\"config\":{\"heartbeatTimeout\":\"PT20S\"}}");
    }

    @Test
    void theWriterPutsOneLinePerCallWithNothingBetweenThem() throws Exception {
        StringWriter out = new StringWriter();
        try (RecordingWriter w = new RecordingWriter(out)) {
            w.meta("two", "beats");
            w.event(new Heartbeat("h1", Channel.mgmt, TS));
            w.line(RecordingLine.of(new Heartbeat("h1", Channel.storage, TS)));
        }
        assertThat(out.toString())
                .isEqualTo(
                        "{\"type\":\"meta\",\"name\":\"two\",\"description\":\"beats\"}\n"
                                + "{\"type\":\"heartbeat\",\"ts\":\"2026-03-01T10:00:00.250Z\","
                                + "\"host\":\"h1\",\"channel\":\"mgmt\"}\n"
                                + "{\"type\":\"heartbeat\",\"ts\":\"2026-03-01T10:00:00.250Z\","
                                + "\"host\":\"h1\",\"channel\":\"storage\"}\n");
        assertThat(List.of(out.toString().split("\n"))).hasSize(3);
    }
}
