package io.vmres.deploy.commands;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.connector.sim.FleetHost;
import io.vmres.connector.sim.SimulatedFleet;
import io.vmres.connector.sim.SimulatedHypervisor;
import io.vmres.deploy.runtime.DecisionLog;
import io.vmres.deploy.runtime.EmbeddedKafka;
import io.vmres.deploy.runtime.EmbeddedKafkaExtension;
import io.vmres.deploy.runtime.LiveRuns;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.deploy.runtime.QuickHypervisor;
import io.vmres.schema.Alert;
import io.vmres.schema.Incident;
import io.vmres.schema.Topics;
import java.time.Duration;
import java.util.List;
import java.util.function.Supplier;
import org.apache.kafka.common.utils.Time;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A broker's clock steps back 20 s (as a new leader whose clock is behind the old one's), longer
 * than heartbeatTimeout + outOfOrderness, while the fleet beats on: no host that beat is declared,
 * no event is late (heartbeats, nor the power readings of partitions that follow their ends), an
 * {@code APPEND_TIME_STEPPED_BACK} alert names each heartbeat partition and {@code
 * APPEND_TIME_CAUGHT_UP} tells its end; a host that crashes during the step is declared and
 * recovered once event time moves again.
 */
@Tag("slow")
class AppendTimeStepLiveITCase {
    /** The broker's wall clock, the system's less a step the test sets. */
    static final class SteppedTime implements Time {
        private volatile long behindMs;

        void stepBack(long ms) {
            behindMs += ms;
        }

        @Override
        public long milliseconds() {
            return Time.SYSTEM.milliseconds() - behindMs;
        }

        @Override
        public long nanoseconds() {
            return Time.SYSTEM.nanoseconds();
        }

        @Override
        public void sleep(long ms) {
            Time.SYSTEM.sleep(ms);
        }

        @Override
        public void waitObject(Object obj, Supplier<Boolean> condition, long deadlineMs)
                throws InterruptedException {
            Time.SYSTEM.waitObject(obj, condition, deadlineMs + behindMs);
        }
    }

    private static final SteppedTime BROKER_CLOCK = new SteppedTime();

    @RegisterExtension
    static final EmbeddedKafkaExtension KAFKA =
            new EmbeddedKafkaExtension(EmbeddedKafka.builder().time(BROKER_CLOCK));

    @Test
    void aBrokerClockSteppedBackFailsNoHostAndIsTold() throws Exception {
        SimulatedFleet fleet = LiveRuns.smallFleet(21);
        SimulatedHypervisor hypervisor = QuickHypervisor.of(fleet, 21);
        String victim =
                fleet.hosts().stream()
                        .filter(h -> !h.spare() && h.bmc())
                        .map(FleetHost::host)
                        .findFirst()
                        .orElseThrow();
        try (LiveRuntime runtime =
                        LiveRuntime.builder(fleet)
                                .kafka(KAFKA.kafka())
                                .hypervisor(hypervisor)
                                .start();
                DecisionLog log = new DecisionLog(KAFKA.bootstrapServers(), r -> {})) {
            LiveRuns.awaitTelemetry(runtime);
            BROKER_CLOCK.stepBack(20_000);
            Thread.sleep(3_000);
            fleet.crash(victim);
            Incident recovered =
                    LiveRuns.awaitRecovered(
                            log,
                            victim,
                            Duration.ofSeconds(150),
                            () -> "incidents " + log.incidents() + "\nalerts " + log.alerts());
            assertThat(recovered.getKind().name()).isEqualTo("HOST_FAILURE");
            List<Incident> incidents = log.incidents();
            List<Alert> alerts = log.alerts();
            assertThat(incidents)
                    .as("incidents; alerts %s", alerts)
                    .allSatisfy(i -> assertThat(i.getHosts()).containsExactly(victim));
            assertThat(alerts)
                    .filteredOn(a -> a.getKind().equals("LATE_EVENT"))
                    .extracting(Alert::getDetail)
                    .isEmpty();
            List<String> stepped =
                    alerts.stream()
                            .filter(a -> a.getKind().equals("APPEND_TIME_STEPPED_BACK"))
                            .map(Alert::getDetail)
                            .toList();
            for (int p = 0; p < 4; p++) {
                String partition = Topics.HEARTBEAT + "-" + p;
                assertThat(stepped)
                        .as("alerts %s", alerts)
                        .filteredOn(d -> d.startsWith("broker clock stepped back on " + partition))
                        .hasSize(1);
            }
            assertThat(alerts).extracting(Alert::getKind).contains("APPEND_TIME_CAUGHT_UP");
        }
    }
}
