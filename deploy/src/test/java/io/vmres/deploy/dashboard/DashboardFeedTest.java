package io.vmres.deploy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vmres.schema.Admission;
import io.vmres.schema.AdmissionRisk;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.HostState;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The records the dashboard reads off its topics, admissions among them. */
class DashboardFeedTest {
    private final AvroCodec codec = new AvroCodec();

    @Test
    void readsHostStatesAndAdmissions() throws Exception {
        HostState h = Records.host("h1", "c1", "r1", "healthy", 3, 0);
        assertThat(DashboardFeed.decode(codec, codec.encode(h))).isEqualTo(h);
        Admission a =
                Admission.newBuilder()
                        .setCluster("c1")
                        .setHosts(10)
                        .setRacks(2)
                        .setPowerDomains(1)
                        .setRisks(
                                List.of(
                                        AdmissionRisk.newBuilder()
                                                .setKind("POWER_DOMAIN")
                                                .setId("pd-1")
                                                .setUnplacedVms(40)
                                                .build()))
                        .setTs(Records.at(0))
                        .build();
        byte[] bytes = Admission.getEncoder().encode(a).array();
        assertThat(DashboardFeed.decode(codec, bytes)).isEqualTo(a);
    }

    @Test
    void aRecordOfNoKnownSchemaIsBad() {
        assertThatThrownBy(
                        () ->
                                DashboardFeed.decode(
                                        codec, "not avro at all".getBytes(StandardCharsets.UTF_8)))
                .isInstanceOf(AvroCodec.BadRecordException.class);
    }
}
