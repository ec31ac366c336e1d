package io.vmres.bench;

import io.vmres.engine.plan.Admission;
import io.vmres.engine.plan.BalancedPlacer;
import io.vmres.engine.plan.Exclusions;
import io.vmres.engine.plan.PlanHost;
import io.vmres.engine.plan.PlanVm;
import io.vmres.engine.plan.PrestagedPlans;
import io.vmres.engine.plan.VmMove;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * Failover planning at scale (see docs/benchmarks.md, Planning): the full prestaged plan of a
 * cluster, the replan of a 40-host rack failure against one ledger, one incremental update of the
 * prestaged plans after a VM appears on (or leaves) a host, and the whole admission view.
 */
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
public class PlanningBenchmark {

    /** A planned fleet, shared by the benchmarks of one fork. */
    @State(Scope.Benchmark)
    public static class Planned {
        @Param({"10000"})
        public int hosts;

        @Param({"200000"})
        public int vms;

        BenchFleet fleet;
        PrestagedPlans plans;
        List<PlanHost> rack;
        List<VmMove> rackMoves;
        Exclusions rackFailure;
        BalancedPlacer placer = new BalancedPlacer();
        int next;

        @Setup(Level.Trial)
        public void setUp() {
            fleet = new BenchFleet(hosts, vms, 10, 42);
            plans = new PrestagedPlans("c1");
            plans.planAll(fleet.ledger);
            rack = fleet.rack(0);
            rackMoves = fleet.restarts(rack);
            rackFailure = BenchFleet.rackFailure(rack);
        }
    }

    /** Plans every host of the cluster afresh (10,000 single-host plans). */
    @Benchmark
    public PrestagedPlans fullPlan(Planned p) {
        p.plans.planAll(p.fleet.ledger);
        return p.plans;
    }

    /** The 40 hosts of rack 0 (1,120 VMs, 1,000+ of them HA) fail together: one round. */
    @Benchmark
    public BalancedPlacer.Result rackReplan(Planned p) {
        return p.placer.place(p.fleet.ledger, p.rackMoves, p.rackFailure, false);
    }

    /**
     * The whole admission view: every host from its plan, every rack and power domain replanned
     * (375 rounds of 40 or 80 hosts).
     */
    @Benchmark
    public Admission admission(Planned p) {
        return Admission.of(p.fleet.ledger, p.plans, "c1");
    }

    /**
     * A VM appears on a host, or leaves it again: the prestaged plans it affects are made again.
     */
    @Benchmark
    public Object incrementalUpdate(Planned p) {
        int i = p.next++ % (p.fleet.hostIds.size() - 400);
        String host = p.fleet.hostIds.get(i);
        String vm = "bench-" + host;
        if (p.fleet.ledger.vm(vm) == null) {
            p.fleet.ledger.putVm(new PlanVm(vm, host, 1, 1024, 500, true, null, null, List.of()));
        } else {
            p.fleet.ledger.removeVm(vm);
        }
        return p.plans.update(p.fleet.ledger, List.of(host));
    }

    /**
     * The same on a spare: spares are the first targets of every prestaged plan, so each spare is
     * named by hundreds of plans, and each of them is checked (and replanned if it no longer fits).
     */
    @Benchmark
    public Object incrementalUpdateOnSpare(Planned p) {
        String host = p.fleet.spareIds.get(p.next++ % p.fleet.spareIds.size());
        String vm = "bench-" + host;
        if (p.fleet.ledger.vm(vm) == null) {
            p.fleet.ledger.putVm(new PlanVm(vm, host, 1, 1024, 500, true, null, null, List.of()));
        } else {
            p.fleet.ledger.removeVm(vm);
        }
        return p.plans.update(p.fleet.ledger, List.of(host));
    }
}
