package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.Settings;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.recording.ClusterRouter.Delivery;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ReplayDriverTest {
    private final Map<String, ScriptedEngine> engines = new TreeMap<>();
    private long timerMs = 1_000_000;

    /** Each test event's cluster: the tests here route by hand. */
    private final Map<Event, String> clusterOf = new HashMap<>();

    private final ReplayDriver driver = driver(e -> List.of(new Delivery(clusterOf.get(e), e)));

    private ReplayDriver driver(Function<Event, List<Delivery>> router) {
        return new ReplayDriver(
                Settings.DEFAULTS,
                router,
                (cluster, s) ->
                        engines.computeIfAbsent(cluster, c -> new ScriptedEngine(c, timerMs)),
                new ReplayOutputs());
    }

    private static Event hb(long ts, long seq) {
        return new Heartbeat(ts, seq, "h", "mgmt");
    }

    private void offer(String cluster, Event e) {
        clusterOf.put(e, cluster);
        driver.offer(e);
    }

    @Test
    void inputWaitsUntilTheWatermarkHasPassedItsInstant() {
        offer("c1", hb(5000, 1));
        driver.watermark(3000);
        assertThat(engines).isEmpty();
        // An event of ts 5000 may still come while the watermark is 5000.
        driver.watermark(5000);
        assertThat(engines).isEmpty();
        driver.watermark(5001);
        assertThat(engines.get("c1").calls).containsExactly("advance 5000 [1]");
    }

    @Test
    void eventsAreHandedOverInTsThenSeqOrderOneCallPerInstant() {
        offer("c1", hb(10_000, 1));
        offer("c1", hb(9_000, 2));
        offer("c1", hb(10_000, 3));
        offer("c1", hb(9_000, 4));
        offer("c2", hb(9_000, 5));
        driver.finish(10_000L);
        assertThat(engines.get("c1").calls)
                .containsExactly("advance 9000 [2,4]", "advance 10000 [1,3]", "endOfInput 10000");
        assertThat(engines.get("c2").calls).containsExactly("advance 9000 [5]", "endOfInput 10000");
    }

    @Test
    void theEnginesOwnInstantsInterleaveWithInput() {
        timerMs = 1000;
        offer("c1", hb(0, 1));
        offer("c1", hb(2500, 2));
        offer("c2", hb(1000, 3));
        driver.watermark(5000);
        assertThat(engines.get("c1").calls)
                .containsExactly(
                        "advance 0 [1]", "advance 1000 []", "advance 2500 [2]", "advance 3500 []");
        assertThat(engines.get("c2").calls).containsExactly("advance 1000 [3]", "advance 2000 []");
        // A timer at exactly the next input instant is the same instant: one call.
        offer("c1", hb(6000, 4));
        offer("c1", hb(7000, 5));
        driver.finish(7000L);
        assertThat(engines.get("c1").calls)
                .endsWith("advance 6000 [4]", "advance 7000 [5]", "endOfInput 7000");
        engines.values().forEach(e -> assertThat(e.violations).isEmpty());
    }

    @Test
    void workAfterTheLastEventWaitsForEndOfInput() {
        timerMs = 1000;
        offer("c1", hb(0, 1));
        offer("c1", hb(500, 2));
        driver.finish(500L);
        // The engine drops its timers after the end (1000, 1500): only what it keeps is driven.
        assertThat(engines.get("c1").calls)
                .containsExactly("advance 0 [1]", "advance 500 [2]", "endOfInput 500");
    }

    @Test
    void afterEndOfInputEachEngineRunsUntilNothingIsDue() {
        timerMs = 1000;
        offer("c1", hb(0, 1));
        offer("c1", hb(2000, 2));
        driver.finish(2000L);
        assertThat(engines.get("c1").calls)
                .containsExactly(
                        "advance 0 [1]", "advance 1000 []", "advance 2000 [2]", "endOfInput 2000");
        driver.giveUpAtEnd(4000);
        assertThat(engines.get("c1").calls).last().isEqualTo("giveUpAtEnd 4000");
    }

    @Test
    void aClusterSeenLateStartsWithTheEarlierSimFaultsAtTheirOwnInstants() {
        ReplayDriver d = driver(new ClusterRouter()::route);
        d.offer(host(1_000, 1, "h1", "c1"));
        d.offer(new SimFault(2_000, 2, "RESTART_VM", 1, null, null, null));
        d.offer(new SimFault(2_000, 3, "FENCE_HOST", 1, null, null, null));
        d.watermark(20_000);
        d.offer(host(21_000, 4, "h2", "c2"));
        d.finish(21_000L);
        assertThat(engines.get("c1").calls)
                .containsExactly("advance 1000 [1]", "advance 2000 [2,3]", "endOfInput 21000");
        assertThat(engines.get("c2").calls)
                .containsExactly("advance 2000 [2,3]", "advance 21000 [4]", "endOfInput 21000");
        assertThat(d.clusters()).containsExactly("c1", "c2");
    }

    @Test
    void aNewEnginesOwnWorkBetweenItsEarlierInstantsRunsInOrder() {
        timerMs = 1000;
        ReplayDriver d = driver(new ClusterRouter()::route);
        d.offer(host(1_000, 1, "h1", "c1"));
        d.offer(new SimFault(2_000, 2, "RESTART_VM", 1, null, null, null));
        d.watermark(20_000);
        d.offer(host(21_000, 3, "h2", "c2"));
        d.finish(21_000L);
        assertThat(engines.get("c2").calls)
                .containsExactly(
                        "advance 2000 [2]",
                        "advance 3000 []",
                        "advance 21000 [3]",
                        "endOfInput 21000");
        engines.values().forEach(e -> assertThat(e.violations).isEmpty());
    }

    @Test
    void eventsAreRoutedInTimeOrderSoALineBeforeItsHostsRecordStillReachesItsCluster() {
        ReplayDriver d = driver(new ClusterRouter()::route);
        // Line 1 is a heartbeat at 1.5 s; line 2 registers its host at 1 s.
        d.offer(new Heartbeat(1_500, 1, "h1", "mgmt"));
        d.offer(host(1_000, 2, "h1", "c1"));
        d.finish(1_500L);
        assertThat(engines).containsOnlyKeys("c1");
        assertThat(engines.get("c1").calls)
                .containsExactly("advance 1000 [2]", "advance 1500 [1]", "endOfInput 1500");
    }

    private static HostEvent host(long ts, long seq, String host, String cluster) {
        return new HostEvent(
                ts, seq, host, cluster, 8, 8, null, null, "kvm", List.of(), false, true);
    }

    @Test
    void noEventsNoEngines() {
        driver.finish(null);
        assertThat(engines).isEmpty();
        assertThat(driver.figures()).isEmpty();
        assertThat(List.copyOf(driver.clusters())).isEmpty();
    }
}
