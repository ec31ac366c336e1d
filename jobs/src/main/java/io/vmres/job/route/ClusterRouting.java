package io.vmres.job.route;

import io.vmres.engine.recording.ClusterRouter;
import io.vmres.job.Emitted;
import io.vmres.job.Routed;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.util.OutputTag;

/**
 * Routes input events to the engines of their clusters at the job's parallelism, with the same
 * deliveries as {@link ClusterRouter} makes for the whole fleet in one place: keyed by VM (which
 * host each VM is on), by host (its cluster, its VMs' latest records, its telemetry), by VM again
 * (a VM that changes cluster with its host), and one fleet-wide key (sim-faults, power-domain
 * readings, clusters first seen, the end of a recording). Each stage applies its input in (ts, seq)
 * order once the watermark passes it, so the deliveries do not depend on how the stages' channels
 * interleave; the engines order each instant's input themselves. The live job routes nothing to
 * hosts in no cluster ({@link HostRouteFunction}): that input becomes dead letters.
 *
 * <p>Operator uids: {@code route-vms}, {@code route-hosts}, {@code route-moves}, {@code
 * route-fleet}.
 */
public final class ClusterRouting {
    private ClusterRouting() {}

    /** From the host stage to the VM stage: the cluster each host of a moving VM is in. */
    static final OutputTag<Hop> MOVES = new OutputTag<>("moves", Hop.TYPE);

    /** To the fleet-wide stage: clusters that got input. */
    static final OutputTag<Hop> FLEET = new OutputTag<>("to-fleet", Hop.TYPE);

    /** Input about hosts in no cluster that the live job does not keep: its dead letters. */
    static final OutputTag<Emitted> UNROUTED = new OutputTag<>("unrouted", Emitted.TYPE);

    /** The deliveries of the routing stages, and the dead letters of what they did not route. */
    public record Routes(DataStream<Routed> routed, DataStream<Emitted> deadLetters) {}

    /**
     * The deliveries of {@code inputs} (events and the end of input) to their clusters, as the spec
     * has them: events about hosts or VMs in no cluster go to the key {@link
     * ClusterRouter#UNKNOWN}. The replay's routing.
     */
    public static DataStream<Routed> route(DataStream<Hop> inputs) {
        return route(inputs, false).routed();
    }

    /**
     * The deliveries of {@code inputs} to their clusters; with {@code live} (the live job),
     * telemetry, requests and removals of hosts or VMs in no cluster are dead letters instead, VM
     * records on such hosts wait unrouted for their host's record, and a host's records apply first
     * among its held input of one instant (live seqs are offsets of different partitions).
     */
    public static Routes route(DataStream<Hop> inputs, boolean live) {
        return route(List.of(inputs), live);
    }

    /**
     * As {@link #route(DataStream, boolean)}, for inputs of several streams (the live job's records
     * and the notes of its partition watch): each is split in the chain of the operator that makes
     * it, so that no record crosses a channel more than once on its way to its keyed stage.
     */
    public static Routes route(List<DataStream<Hop>> inputs, boolean live) {
        // The filters run beside each input, one channel each on to the keyed stages: each host's
        // and each VM's inputs from one reader reach their stage in the order it read them.
        List<DataStream<Hop>> vmInputs = new ArrayList<>();
        List<DataStream<Hop>> hostInputs = new ArrayList<>();
        List<DataStream<Hop>> fleetInputs = new ArrayList<>();
        for (DataStream<Hop> input : inputs) {
            int in = input.getParallelism();
            vmInputs.add(
                    input.filter(Hop::isVmInput)
                            .returns(Hop.TYPE)
                            .name("VM records")
                            .setParallelism(in));
            hostInputs.add(
                    input.filter(ClusterRouting::isHostInput)
                            .returns(Hop.TYPE)
                            .name("host inputs")
                            .setParallelism(in));
            fleetInputs.add(
                    input.filter(Hop::isFleetWide)
                            .returns(Hop.TYPE)
                            .name("fleet-wide inputs")
                            .setParallelism(in));
        }
        SingleOutputStreamOperator<Hop> vms =
                union(vmInputs, List.of())
                        .keyBy(Hop::key)
                        .process(new VmRouteFunction())
                        .returns(Hop.TYPE)
                        .name("route VMs")
                        .uid("route-vms");
        SingleOutputStreamOperator<Routed> hosts =
                union(hostInputs, List.of(vms))
                        .keyBy(Hop::key)
                        .process(new HostRouteFunction(live))
                        .returns(Routed.TYPE)
                        .name("route by host")
                        .uid("route-hosts");
        SingleOutputStreamOperator<Routed> moves =
                hosts.getSideOutput(MOVES)
                        .keyBy(Hop::key)
                        .process(new MoveRouteFunction(live))
                        .returns(Routed.TYPE)
                        .name("route VM moves")
                        .uid("route-moves");
        SingleOutputStreamOperator<Routed> fleet =
                union(fleetInputs, List.of(hosts.getSideOutput(FLEET), moves.getSideOutput(FLEET)))
                        .keyBy(Hop::key)
                        .process(new FleetRouteFunction())
                        .returns(Routed.TYPE)
                        .name("route fleet-wide")
                        .uid("route-fleet");
        return new Routes(hosts.union(moves, fleet), hosts.getSideOutput(UNROUTED));
    }

    /** The streams of {@code first} and then {@code more}, as one. */
    private static DataStream<Hop> union(List<DataStream<Hop>> first, List<DataStream<Hop>> more) {
        List<DataStream<Hop>> all = new ArrayList<>(first);
        all.addAll(more);
        DataStream<Hop> one = all.get(0);
        for (DataStream<Hop> s : all.subList(1, all.size())) {
            one = one.union(s);
        }
        return one;
    }

    private static boolean isHostInput(Hop h) {
        return !h.isVmInput() && !h.isFleetWide();
    }
}
