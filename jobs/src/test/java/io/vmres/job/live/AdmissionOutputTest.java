package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.out.AdmissionOut;
import io.vmres.job.Emitted;
import io.vmres.schema.Admission;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** The admission view goes to the fleet-state topic, keyed by cluster, as an Avro Admission. */
class AdmissionOutputTest {

    @Test
    void admissionIsWrittenToTheFleetStateTopicKeyedByCluster() throws Exception {
        AdmissionOut a =
                new AdmissionOut(
                        "c1",
                        10,
                        2,
                        1,
                        List.of(new AdmissionOut.Risk("RACK", "r1", 3, List.of("v1", "v2", "v3"))),
                        1_700_000_000_000L);
        ProducerRecord<byte[], byte[]> rec =
                new OutputSerializer().serialize(new Emitted("c1", 0, a), null, null);
        assertThat(rec.topic()).isEqualTo(Topics.FLEET_STATE);
        assertThat(new String(rec.key(), StandardCharsets.UTF_8)).isEqualTo("c1");
        Admission got = (Admission) new AvroCodec().decode(rec.value());
        assertThat(got.getCluster()).isEqualTo("c1");
        assertThat(got.getHosts()).isEqualTo(10);
        assertThat(got.getRacks()).isEqualTo(2);
        assertThat(got.getPowerDomains()).isEqualTo(1);
        assertThat(got.getRisks()).hasSize(1);
        assertThat(got.getRisks().get(0).getKind()).isEqualTo("RACK");
        assertThat(got.getRisks().get(0).getUnplacedVms()).isEqualTo(3);
        assertThat(got.getRisks().get(0).getVms()).containsExactly("v1", "v2", "v3");
        assertThat(got.getTs()).isEqualTo(Instant.ofEpochMilli(1_700_000_000_000L));
    }
}
