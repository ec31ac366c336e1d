package io.vmres.job.live;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.out.IncidentOut;
import io.vmres.job.Emitted;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Incident;
import io.vmres.schema.Topics;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.Test;

/** Incident lines on the incidents topic carry the incident's figures. */
class OutputSerializerTest {
    private static final long T0 = 1_772_359_200_000L; // 2026-03-01T10:00:00Z

    @Test
    void incidentOnTheTopicCarriesItsFigures() throws Exception {
        IncidentFigures figures =
                new IncidentFigures(
                        "inc-c1-0001",
                        "HOST_FAILURE",
                        List.of("h1"),
                        "RECOVERED",
                        T0 + 32_000,
                        T0 + 20_000,
                        T0 + 32_000,
                        T0 + 34_000,
                        T0 + 64_000,
                        3,
                        0,
                        0);
        IncidentOut line =
                new IncidentOut(
                        "inc-c1-0001",
                        "HOST_FAILURE",
                        List.of("h1"),
                        "RECOVERED",
                        Map.of(),
                        T0 + 64_000,
                        figures);
        ProducerRecord<byte[], byte[]> r =
                new OutputSerializer().serialize(new Emitted("c1", 7, line), null, null);
        assertThat(r.topic()).isEqualTo(Topics.INCIDENTS);
        Incident incident = (Incident) new AvroCodec().decode(r.value());
        JsonNode f = new ObjectMapper().readTree(incident.getFiguresJson());
        assertThat(f.get("detectionS").asDouble()).isEqualTo(12.0);
        assertThat(f.get("firstCommandS").asDouble()).isEqualTo(0.0);
        assertThat(f.get("lastCommandS").asDouble()).isEqualTo(2.0);
        assertThat(f.get("recoveryS").asDouble()).isEqualTo(44.0);
        assertThat(f.get("vmsRecovered").asInt()).isEqualTo(3);
    }

    @Test
    void incidentWithoutFiguresHasNone() throws Exception {
        IncidentOut line =
                new IncidentOut("inc-c1-0001", "HOST_FAILURE", List.of("h1"), "OPEN", Map.of(), T0);
        ProducerRecord<byte[], byte[]> r =
                new OutputSerializer().serialize(new Emitted("c1", 1, line), null, null);
        assertThat(((Incident) new AvroCodec().decode(r.value())).getFiguresJson()).isNull();
    }
}
