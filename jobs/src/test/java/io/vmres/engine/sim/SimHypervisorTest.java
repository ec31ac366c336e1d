package io.vmres.engine.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.event.SimFault;
import io.vmres.engine.execute.Action;
import io.vmres.engine.out.CommandOut;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimHypervisorTest {

    private static CommandOut restart(long ts, String target, String vm) {
        return new CommandOut("c", "i", "RESTART_VM", "h0", target, vm, null, null, 1, 500, ts);
    }

    @Test
    void faultFailsItsCountOfMatchingCommandsFromItsTimeOn() {
        SimHypervisor sim = new SimHypervisor();
        sim.add(new SimFault(100, 0, "RESTART_VM", 2, null, "t1", null));
        assertThat(sim.consume(restart(50, "t1", "v"))).isFalse(); // before the fault
        assertThat(sim.consume(restart(100, "t2", "v"))).isFalse(); // another target
        assertThat(sim.consume(restart(100, "t1", "v"))).isTrue();
        assertThat(sim.consume(restart(200, "t1", "w"))).isTrue();
        assertThat(sim.consume(restart(300, "t1", "x"))).isFalse(); // count used up
    }

    @Test
    void everyMatchingFaultIsUsedUpByOneCommand() {
        SimFault any = new SimFault(0, 0, "RESTART_VM", 1, null, null, null);
        SimFault vm = new SimFault(0, 1, "RESTART_VM", 1, null, null, "v");
        SimHypervisor sim = new SimHypervisor();
        sim.add(any);
        sim.add(vm);
        assertThat(sim.consume(restart(1, "t", "v"))).isTrue();
        assertThat(sim.consume(restart(2, "t", "v"))).isFalse();
    }

    @Test
    void vmFaultMatchesAMapHoldingIt() {
        SimHypervisor sim = new SimHypervisor();
        sim.add(new SimFault(0, 0, "MAP_DISKS", 1, null, null, "v2"));
        CommandOut map =
                new CommandOut(
                        "c",
                        "i",
                        "MAP_DISKS",
                        "h0",
                        "t",
                        null,
                        List.of("v1", "v2"),
                        List.of("d"),
                        1,
                        null,
                        5);
        assertThat(sim.consume(map)).isTrue();
        assertThat(SimHypervisor.latency(Action.MAP_DISKS)).isEqualTo(2_000);
        assertThat(SimHypervisor.latency(Action.LIVE_MIGRATE_VM)).isEqualTo(20_000);
    }
}
