package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.engine.recording.EventParser;
import io.vmres.schema.Channel;
import io.vmres.schema.Health;
import io.vmres.schema.Heartbeat;
import io.vmres.schema.Host;
import io.vmres.schema.HostRemoved;
import io.vmres.schema.Maintenance;
import io.vmres.schema.MaintenanceEnd;
import io.vmres.schema.OperatorConfirm;
import io.vmres.schema.Power;
import io.vmres.schema.PowerState;
import io.vmres.schema.VmRemoved;
import io.vmres.schema.recording.RecordingLine;
import java.time.Instant;
import java.util.List;
import org.apache.avro.specific.SpecificRecord;
import org.junit.jupiter.api.Test;

/** The recorder's lines are lines the replay reads: every input event, and the meta line. */
class RecordedLineTest {
    private static final Instant TS = Instant.parse("2026-03-01T10:00:00.250Z");

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
    void theMetaLineParsesAndTheRecordingIsNamedAfterItsFile() {
        assertThat(EventParser.parse(RecordingLine.meta("crash", "recorded").toString(), 1))
                .isInstanceOf(EventParser.Meta.class);
        assertThat(Recorder.name(java.nio.file.Path.of("out", "crash.jsonl.gz")))
                .isEqualTo("crash");
    }
}
