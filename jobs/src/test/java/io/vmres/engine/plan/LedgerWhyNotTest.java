package io.vmres.engine.plan;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The reason an {@code UNPLACED} alert gives: it names the failed domains that closed targets. */
class LedgerWhyNotTest {
    private static final PlanVm VM =
            new PlanVm("vm1", "h1", 2, 4096, 1, true, null, null, List.of());

    private static Ledger cluster() {
        Ledger l = new Ledger();
        l.putHost("h1", "c1", 64, 262144, "r01", "pd01", "kvm", Set.of(), false);
        l.putHost("h2", "c1", 64, 262144, "r01", "pd01", "kvm", Set.of(), false);
        l.putHost("h3", "c1", 64, 262144, "r02", "pd01", "kvm", Set.of(), false);
        l.putVm(VM);
        l.setState("h1", false, false);
        l.setState("h2", false, false);
        return l;
    }

    @Test
    void aFailedPowerDomainThatClosedEveryTargetIsNamed() {
        String why =
                cluster()
                        .whyNot(
                                VmMove.restart(VM, "c1", "kvm"),
                                new Exclusions(Set.of("h1", "h2"), Set.of("r01"), Set.of("pd01")));
        assertThat(why)
                .startsWith("no live host")
                .endsWith("; excluded by failed power domain pd01");
    }

    @Test
    void withoutFailedDomainsTheReasonIsAsBefore() {
        assertThat(
                        cluster()
                                .whyNot(
                                        VmMove.restart(VM, "c1", "kvm"),
                                        new Exclusions(
                                                Set.of("h1", "h2", "h3"), Set.of(), Set.of())))
                .isEqualTo(
                        "no live host: every other host is failed, draining, in maintenance or in a"
                                + " failed domain");
    }
}
