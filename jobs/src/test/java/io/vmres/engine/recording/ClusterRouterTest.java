package io.vmres.engine.recording;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.Event;
import io.vmres.engine.event.Health;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.HostRemoved;
import io.vmres.engine.event.Maintenance;
import io.vmres.engine.event.MaintenanceEnd;
import io.vmres.engine.event.OperatorConfirm;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.SimFault;
import io.vmres.engine.event.VmEvent;
import io.vmres.engine.event.VmRemoved;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClusterRouterTest {
    private final ClusterRouter router = new ClusterRouter();
    private long seq;

    private HostEvent host(String host, String cluster) {
        return new HostEvent(
                1000, ++seq, host, cluster, 64, 1024, null, null, "kvm", List.of(), false, true);
    }

    private VmEvent vm(String vm, String host) {
        return new VmEvent(
                1000, ++seq, vm, host, 1, 1, 500, true, null, null, List.of(), List.of());
    }

    private SimFault fault() {
        return new SimFault(1000, ++seq, "RESTART_VM", 1, null, null, null);
    }

    private List<String> keys(Event e) {
        return router.route(e).stream().map(ClusterRouter.Delivery::cluster).toList();
    }

    @Test
    void hostEventsGoToTheirClusterAndToThePreviousOneWhenTheHostMoves() {
        assertThat(keys(host("h1", "c1"))).containsExactly("c1");
        assertThat(keys(host("h1", "c1"))).containsExactly("c1");
        assertThat(keys(host("h1", "c2"))).containsExactly("c2", "c1");
        assertThat(keys(new Heartbeat(1000, ++seq, "h1", "mgmt"))).containsExactly("c2");
    }

    @Test
    void hostScopedEventsGoToTheHostsCluster() {
        router.route(host("h1", "c1"));
        assertThat(keys(new Heartbeat(1, ++seq, "h1", "mgmt"))).containsExactly("c1");
        assertThat(keys(new Power(1, ++seq, "h1", "off"))).containsExactly("c1");
        assertThat(keys(new Health(1, ++seq, "h1", "pfa", 1, null))).containsExactly("c1");
        assertThat(keys(new Maintenance(1, ++seq, "h1", 5, null, null))).containsExactly("c1");
        assertThat(keys(new MaintenanceEnd(1, ++seq, "h1"))).containsExactly("c1");
        assertThat(keys(new OperatorConfirm(1, ++seq, "h1", null, null))).containsExactly("c1");
        assertThat(keys(new HostRemoved(1, ++seq, "h1"))).containsExactly("c1");
        // A removed host still belongs to its cluster: that engine judges what its events mean.
        assertThat(keys(new Heartbeat(1, ++seq, "h1", "mgmt"))).containsExactly("c1");
    }

    @Test
    void vmEventsFollowTheirHostAndTellTheClusterTheyLeave() {
        router.route(host("h1", "c1"));
        router.route(host("h2", "c1"));
        router.route(host("h3", "c2"));
        assertThat(keys(vm("v1", "h1"))).containsExactly("c1");
        assertThat(keys(vm("v1", "h2"))).containsExactly("c1");
        assertThat(keys(vm("v1", "h3"))).containsExactly("c2", "c1");
        assertThat(keys(new VmRemoved(1, ++seq, "v1"))).containsExactly("c2");
    }

    @Test
    void vmRemovedGoesToTheClusterOfTheVmsLastHostEvenAfterTheHostMoved() {
        router.route(host("h1", "c1"));
        router.route(vm("v1", "h1"));
        router.route(host("h1", "c2"));
        assertThat(keys(new VmRemoved(1, ++seq, "v1"))).containsExactly("c2");
    }

    @Test
    void aHostMovingToAnotherClusterBringsItsVmsAlongAsOfTheMove() {
        router.route(host("h1", "c1"));
        VmEvent v1 = vm("v1", "h1");
        VmEvent v2 = vm("v2", "h1");
        router.route(v2);
        router.route(v1);
        router.route(vm("v3", "h1"));
        router.route(new VmRemoved(1, ++seq, "v3"));
        HostEvent move =
                new HostEvent(
                        5000, ++seq, "h1", "c2", 64, 1024, null, null, "kvm", List.of(), false,
                        true);
        List<ClusterRouter.Delivery> d = router.route(move);
        assertThat(d)
                .extracting(ClusterRouter.Delivery::cluster)
                .containsExactly("c2", "c1", "c2", "c2");
        assertThat(d.get(2).event()).isEqualTo(restamped(v1, move));
        assertThat(d.get(3).event()).isEqualTo(restamped(v2, move));
    }

    @Test
    void vmsPlacedOnAHostBeforeItsFirstRecordJoinItsCluster() {
        VmEvent v1 = vm("v1", "h1");
        assertThat(keys(v1)).containsExactly("");
        HostEvent h = host("h1", "c1");
        List<ClusterRouter.Delivery> d = router.route(h);
        assertThat(d)
                .containsExactly(
                        new ClusterRouter.Delivery("c1", h),
                        new ClusterRouter.Delivery("c1", restamped(v1, h)));
        // The VM now follows its host's cluster.
        assertThat(keys(new VmRemoved(1, ++seq, "v1"))).containsExactly("c1");
    }

    @Test
    void vmsOfARemovedHostAreNotBroughtAlongByItsNextRecord() {
        router.route(host("h1", "c1"));
        router.route(vm("v1", "h1"));
        router.route(new HostRemoved(1, ++seq, "h1"));
        assertThat(keys(host("h1", "c2"))).containsExactly("c2", "c1");
    }

    private static VmEvent restamped(VmEvent v, HostEvent h) {
        return new VmEvent(
                h.ts(),
                h.seq(),
                v.vm(),
                v.host(),
                v.cpu(),
                v.memMb(),
                v.priority(),
                v.ha(),
                v.antiAffinityGroup(),
                v.storageDomain(),
                v.disks(),
                v.dependsOn());
    }

    @Test
    void eventsAboutUnknownHostsOrVmsGoToTheEmptyKey() {
        assertThat(keys(new Heartbeat(1, ++seq, "ghost", "mgmt"))).containsExactly("");
        assertThat(keys(vm("v9", "ghost"))).containsExactly("");
        assertThat(keys(new VmRemoved(1, ++seq, "never-seen"))).containsExactly("");
        assertThat(keys(new HostRemoved(1, ++seq, "ghost"))).containsExactly("");
    }

    @Test
    void simFaultsGoToEveryClusterAndLateClustersGetTheEarlierOnesFirst() {
        router.route(host("h1", "c1"));
        router.route(new Heartbeat(1, ++seq, "ghost", "mgmt"));
        SimFault f1 = fault();
        assertThat(keys(f1)).containsExactly("c1");
        SimFault f2 = fault();
        router.route(f2);
        HostEvent h2 = host("h2", "c2");
        assertThat(router.route(h2))
                .containsExactly(
                        new ClusterRouter.Delivery("c2", f1),
                        new ClusterRouter.Delivery("c2", f2),
                        new ClusterRouter.Delivery("c2", h2));
        assertThat(keys(fault())).containsExactly("c1", "c2");
        // A host of a cluster already seen brings no repeat.
        assertThat(keys(host("h3", "c2"))).containsExactly("c2");
    }

    @Test
    void aSimFaultBeforeAnyClusterWaitsForTheFirstOne() {
        SimFault f = fault();
        assertThat(router.route(f)).isEmpty();
        HostEvent h = host("h1", "c1");
        assertThat(router.route(h))
                .containsExactly(
                        new ClusterRouter.Delivery("c1", f), new ClusterRouter.Delivery("c1", h));
    }

    @Test
    void routingIsDeterministic() {
        ClusterRouter other = new ClusterRouter();
        List<Event> events =
                List.of(
                        host("a", "c1"),
                        host("b", "c2"),
                        fault(),
                        vm("v", "a"),
                        vm("v", "b"),
                        host("a", "c3"),
                        fault());
        for (Event e : events) {
            assertThat(other.route(e)).isEqualTo(router.route(e));
        }
    }
}
