package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.out.HostStateOut;
import io.vmres.job.Emitted;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.HostState;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The fleet view of a host goes to the fleet-state topic, keyed by host. */
class FleetStateRoutingTest {

    @Test
    void hostStateIsWrittenToFleetStateKeyedByHost() throws Exception {
        HostStateOut out =
                new HostStateOut(
                        "h7", "c1", "fenced", "r2", "pd-1", 3, 12, 64, 24576, 262144, 1_000L);
        ProducerRecord<byte[], byte[]> r =
                new OutputSerializer().serialize(new Emitted("c1", 0, out), null, null);
        assertThat(r.topic()).isEqualTo(Topics.FLEET_STATE);
        assertThat(new String(r.key(), StandardCharsets.UTF_8)).isEqualTo("h7");
        HostState h = (HostState) new AvroCodec().decode(r.value());
        assertThat(h.getState()).isEqualTo("fenced");
        assertThat(h.getCluster()).isEqualTo("c1");
        assertThat(h.getRack()).isEqualTo("r2");
        assertThat(h.getVms()).isEqualTo(3);
        assertThat(h.getCpuUsed()).isEqualTo(12);
        assertThat(h.getMemTotalMb()).isEqualTo(262144);
        assertThat(h.getTs().toEpochMilli()).isEqualTo(1_000L);
    }
}
