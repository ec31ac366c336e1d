package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.deploy.RecordingLine;
import io.vmres.engine.recording.EventParser;
import io.vmres.schema.Action;
import io.vmres.schema.Channel;
import io.vmres.schema.Command;
import io.vmres.schema.Health;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Host;
import io.vmres.schema.HostRemoved;
import io.vmres.schema.Maintenance;
import io.vmres.schema.MaintenanceEnd;
import io.vmres.schema.OperatorConfirm;
import io.vmres.schema.Power;
import io.vmres.schema.PowerState;
import io.vmres.schema.Vm;
import io.vmres.schema.VmRemoved;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
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
                                + "\"cpu\":4.0,\"memMb\":8192.0,\"priority\":700,\"ha\":true,"
                                + "\"storageDomain\":\"sd1\",\"disks\":[\"vol1\",\"vol2\"]}");
    }

    @Test
    void everyInputEventIsAValidLineOfItsType() {
        List<SpecificRecord> events =
                List.of(
                        Host.newBuilder()
                                .setHost("h1")
                                .setCluster("c1")
                                .setCpu(64)
                                .setMemMb(262144)
                                .setRack("r1")
                                .setPowerDomain(null)
                                .setHypervisor("kvm")
                                .setStorageDomains(List.of("sd1"))
                                .setSpare(false)
                                .setBmc(false)
                                .setTs(TS)
                                .build(),
                        HostRemoved.newBuilder().setHost("h1").setTs(TS).build(),
                        VmRemoved.newBuilder().setVm("vm1").setTs(TS).build(),
                        Heartbeat.newBuilder()
                                .setHost("h1")
                                .setChannel(Channel.storage)
                                .setTs(TS)
                                .build(),
                        Power.newBuilder().setHost("h1").setState(PowerState.off).setTs(TS).build(),
                        Health.newBuilder()
                                .setHost("h1")
                                .setSensor("cpu_temp_c")
                                .setValue(91.5)
                                .setComponent("cpu0")
                                .setTs(TS)
                                .build(),
                        Maintenance.newBuilder()
                                .setHost("h1")
                                .setDeadline(TS.plusSeconds(3600))
                                .setReason(null)
                                .setRequestedBy("ops")
                                .setTs(TS)
                                .build(),
                        MaintenanceEnd.newBuilder().setHost("h1").setTs(TS).build(),
                        OperatorConfirm.newBuilder()
                                .setHost("h1")
                                .setRequestedBy("alice")
                                .setReason("cords pulled")
                                .setTs(TS)
                                .build());
        for (SpecificRecord e : events) {
            ObjectNode line = RecordingLine.of(e);
            assertThat(EventParser.parse(line.toString(), 1))
                    .as("%s", line)
                    .isInstanceOf(EventParser.Valid.class)
                    .extracting(p -> ((EventParser.Valid) p).event().ts())
                    .isEqualTo(TS.toEpochMilli());
            assertThat(line.get("type").asText()).isEqualTo(RecordingLine.type(e).orElseThrow());
        }
        assertThat(RecordingLine.of(events.get(4)).get("state").asText()).isEqualTo("off");
        assertThat(RecordingLine.of(events.get(6)).get("deadline").asText())
                .isEqualTo("2026-03-01T11:00:00.250Z");
        assertThat(RecordingLine.of(events.get(6)).has("reason")).isFalse();
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
    void theMetaLineNamesTheRecording() {
        assertThat(RecordingLine.meta("crash", "recorded").toString())
                .isEqualTo("{\"type\":\"meta\",\"name\":\"crash\",\"description\":\"recorded\"}");
        assertThat(EventParser.parse(RecordingLine.meta("crash", "recorded").toString(), 1))
                .isInstanceOf(EventParser.Meta.class);
        assertThat(Recorder.name(java.nio.file.Path.of("out", "crash.jsonl.gz")))
                .isEqualTo("crash");
    }
}
