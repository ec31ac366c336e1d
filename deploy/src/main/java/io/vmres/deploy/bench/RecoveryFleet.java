package io.vmres.deploy.bench;

import io.vmres.engine.Times;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.Heartbeat;
import io.vmres.engine.event.HostEvent;
import io.vmres.engine.event.Power;
import io.vmres.engine.event.VmEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.TreeMap;

/**
 * The fleet of {@code vmres bench recovery} and its failure: hosts in one cluster, in racks of a
 * tenth of the fleet, 25 VMs each; one rack (chosen by the seed) loses power two minutes in, its
 * heartbeats stopping and its BMCs reading off 2 to 4 s later.
 */
record RecoveryFleet(
        int hosts,
        int failedHosts,
        String failedRack,
        List<HostEvent> hostEvents,
        List<VmEvent> vmEvents,
        long[] phaseMs,
        long[] offAfterMs,
        boolean[] inFailedRack,
        int failedVms) {
    /** Where the fleet's event time starts. */
    static final long T0 = Times.parse("2026-03-01T00:00:00Z");

    static final String CLUSTER = "c1";
    static final long HEARTBEAT_EVERY_MS = 5_000;

    /** The fleet settles for two minutes before the rack loses power. */
    static final long CRASH_AFTER_MS = 120_000;

    private static final int VMS_PER_HOST = 25;
    private static final double HOST_CPU = 128;
    private static final double HOST_MEM_MB = 512 * 1024;
    private static final double VM_CPU = 4;
    private static final double VM_MEM_MB = 16 * 1024;
    private static final int[] PRIORITIES = {100, 500, 900};

    /** Hosts that may take the failed rack's VMs: every host outside the failed rack. */
    int targets() {
        return hosts - failedHosts;
    }

    /** When the rack loses power: its hosts' last heartbeats are before it. */
    long crashAt() {
        return T0 + CRASH_AFTER_MS;
    }

    static RecoveryFleet generate(int hosts, long seed) {
        if (hosts < 20) {
            throw new IllegalArgumentException("bench recovery needs at least 20 hosts");
        }
        Random random = new Random(seed);
        int rackSize = hosts / 10;
        // whole racks only: a last, partial rack never fails
        String failedRack = rack(random.nextInt(hosts / rackSize));
        List<HostEvent> hostEvents = new ArrayList<>();
        List<VmEvent> vmEvents = new ArrayList<>();
        long[] phase = new long[hosts];
        long[] offAfter = new long[hosts];
        boolean[] inRack = new boolean[hosts];
        int failedVms = 0;
        int failedHosts = 0;
        long seq = 0;
        for (int i = 0; i < hosts; i++) {
            String h = host(i);
            String rack = rack(i / rackSize);
            hostEvents.add(
                    new HostEvent(
                            T0,
                            seq++,
                            h,
                            CLUSTER,
                            HOST_CPU,
                            HOST_MEM_MB,
                            rack,
                            "pd-" + rack,
                            "kvm",
                            List.of("sd-1"),
                            false,
                            true));
            phase[i] = random.nextInt((int) HEARTBEAT_EVERY_MS);
            offAfter[i] = 2_000 + random.nextInt(2_000);
            inRack[i] = rack.equals(failedRack);
            failedHosts += inRack[i] ? 1 : 0;
        }
        int k = 0;
        for (int i = 0; i < hosts; i++) {
            for (int j = 0; j < VMS_PER_HOST; j++) {
                String vm = String.format(Locale.ROOT, "vm-%05d", ++k);
                vmEvents.add(
                        new VmEvent(
                                T0 + 1,
                                seq++,
                                vm,
                                host(i),
                                VM_CPU,
                                VM_MEM_MB,
                                PRIORITIES[random.nextInt(PRIORITIES.length)],
                                true,
                                null,
                                "sd-1",
                                List.of("vol-" + vm.substring(3)),
                                List.of()));
                if (inRack[i]) {
                    failedVms++;
                }
            }
        }
        return new RecoveryFleet(
                hosts,
                failedHosts,
                failedRack,
                hostEvents,
                vmEvents,
                phase,
                offAfter,
                inRack,
                failedVms);
    }

    private static String host(int i) {
        return String.format(Locale.ROOT, "h-%04d", i + 1);
    }

    private static String rack(int r) {
        return String.format(Locale.ROOT, "r%02d", r + 1);
    }

    /**
     * The fleet's input tick by tick: the inventory at the first tick, heartbeats on both channels
     * every 5 s from every host (from the failed rack's only before the crash), and the rack's BMCs
     * reading off. Sequence numbers go on from one tick to the next.
     */
    static final class Telemetry {
        private final RecoveryFleet fleet;
        private long seq;

        Telemetry(RecoveryFleet fleet) {
            this.fleet = fleet;
            this.seq = fleet.hostEvents().size() + fleet.vmEvents().size();
        }

        /** The events from {@code tick} to the next tick, by instant. */
        TreeMap<Long, List<Event>> tick(long tick) {
            long crashAt = fleet.crashAt();
            TreeMap<Long, List<Event>> batch = new TreeMap<>();
            if (tick == T0) {
                batch.computeIfAbsent(T0, x -> new ArrayList<>()).addAll(fleet.hostEvents());
                batch.computeIfAbsent(T0 + 1, x -> new ArrayList<>()).addAll(fleet.vmEvents());
            }
            for (int i = 0; i < fleet.hosts(); i++) {
                long ts = tick + fleet.phaseMs()[i];
                String h = fleet.hostEvents().get(i).host();
                if (!fleet.inFailedRack()[i] || ts < crashAt) {
                    List<Event> at = batch.computeIfAbsent(ts, x -> new ArrayList<>());
                    at.add(new Heartbeat(ts, seq++, h, "mgmt"));
                    at.add(new Heartbeat(ts, seq++, h, "storage"));
                }
                long off = crashAt + fleet.offAfterMs()[i];
                if (fleet.inFailedRack()[i] && off >= tick && off < tick + HEARTBEAT_EVERY_MS) {
                    batch.computeIfAbsent(off, x -> new ArrayList<>())
                            .add(new Power(off, seq++, h, "off"));
                }
            }
            return batch;
        }
    }
}
