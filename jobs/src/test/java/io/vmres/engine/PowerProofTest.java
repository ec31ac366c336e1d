package io.vmres.engine;

import static io.vmres.engine.EngineFixture.at;
import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.IncidentOut;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The spec's Power proof: a host's power is proven off by its own latest reading or its power
 * domain's, and only while nothing the host did contradicts the reading. Hosts h1..h6 sit in racks
 * r1..r6, each its own power domain pd-rN; the fixture's hosts beat every second.
 */
class PowerProofTest {

    private static EngineFixture fleet(boolean bmc) {
        EngineFixture f = new EngineFixture(Settings.DEFAULTS);
        f.host("h1", "r1", bmc, false, 64);
        for (int i = 2; i <= 6; i++) {
            f.host("h" + i, "r" + i);
            f.beats("h" + i, 0, 300, 1);
        }
        f.vm("v1", "h1", 500, null, List.of());
        return f;
    }

    @Test
    void anOffReadingTheHostContradictedBySpeakingAfterItProvesNothing() {
        EngineFixture f = fleet(true);
        // the BMC glitches off at 10 s while the host runs on, then its poller dies
        f.power(5, "h1", "on").power(10, "h1", "off").beats("h1", 0, 100, 1).run();
        assertThat(f.commands("FENCE_HOST")).extracting(CommandOut::host).containsExactly("h1");
        CommandOut fence = f.commands("FENCE_HOST").get(0);
        // no restart before the fence succeeded (5 s of simulated latency)
        assertThat(f.commands("RESTART_VM"))
                .allSatisfy(c -> assertThat(c.ts()).isGreaterThanOrEqualTo(fence.ts() + 5_000));
        assertThat(f.commands("RESTART_VM")).hasSize(1);
    }

    @Test
    void anOffReadingAfterTheLastHeartbeatIsProofWithoutAFence() {
        EngineFixture f = fleet(true);
        f.power(5, "h1", "on").beats("h1", 0, 100, 1).power(100, "h1", "off").run();
        assertThat(f.commands("FENCE_HOST")).isEmpty();
        assertThat(f.commands("RESTART_VM")).hasSize(1);
    }

    @Test
    void aDomainReadingOffProvesAHostWithoutABmcDownAtItsDecision() {
        EngineFixture f = fleet(false);
        f.beats("h1", 0, 100, 1).domain(101, "pd-r1", "off").run();
        IncidentOut first = f.incidents.get(0);
        assertThat(first.kind()).isEqualTo("HOST_FAILURE"); // not NEEDS_CONFIRMATION
        assertThat(f.commands("FENCE_HOST")).isEmpty();
        assertThat(f.commands("RESTART_VM")).hasSize(1);
    }

    @Test
    void aHostThatSpokeAfterItsDomainReadOffIsFedAnotherWay() {
        EngineFixture f = fleet(true);
        f.power(1, "h1", "on").domain(50, "pd-r1", "off").beats("h1", 0, 100, 1).run();
        assertThat(f.commands("FENCE_HOST")).extracting(CommandOut::host).containsExactly("h1");
    }

    @Test
    void anOwnReadingOnAfterTheDomainReadOffEndsTheDomainProof() {
        EngineFixture f = fleet(true);
        f.beats("h1", 0, 100, 1)
                .domain(100.5, "pd-r1", "off")
                .power(101, "h1", "on")
                .fault(0, "FENCE_HOST", 9, null, null)
                .run();
        // declared at 112: its own BMC read on after the domain's off: a fence is needed, and fails
        assertThat(f.commands("FENCE_HOST")).isNotEmpty();
        assertThat(f.commands("RESTART_VM")).isEmpty();
    }

    @Test
    void aDomainReadingOnAgainBeforeAnyRestartMakesTheVmsWait() {
        EngineFixture f = fleet(true);
        f.beats("h1", 0, 100, 1)
                .domain(100.5, "pd-r1", "off")
                .domain(111, "pd-r1", "on")
                .fault(0, "FENCE_HOST", 9, null, null)
                .run();
        // declared at 112 with the domain reading on again: not proven, the fence fails
        assertThat(f.commands("FENCE_HOST")).isNotEmpty();
        assertThat(f.commands("RESTART_VM")).isEmpty();
        assertThat(f.commands("MAP_DISKS")).isEmpty();
    }

    @Test
    void aHostAwaitingConfirmationIsConfirmedByItsDomainReadingOff() {
        EngineFixture f = fleet(false);
        f.beats("h1", 0, 100, 1).domain(150, "pd-r1", "off").run();
        assertThat(f.incidents.get(0).kind()).isEqualTo("NEEDS_CONFIRMATION");
        IncidentOut confirmed =
                f.incidents.stream().filter(i -> i.ts() == at(150)).findFirst().orElseThrow();
        @SuppressWarnings("unchecked")
        Map<String, Object> entry =
                (Map<String, Object>)
                        ((Map<String, Object>) confirmed.evidence().get("confirmed")).get("h1");
        assertThat(entry).containsEntry("requestedBy", null);
        assertThat(entry).containsEntry("reason", "power-domain pd-r1 off");
        assertThat(f.commands("RESTART_VM")).hasSize(1);
        assertThat(f.commands("FENCE_HOST")).isEmpty();
        assertThat(f.alerts).noneMatch(a -> a.kind().equals("CONFIRM_IGNORED"));
    }

    @Test
    void aDomainReadingWhileTheHostStillSpokeWithinTheTimeoutConfirmsNothing() {
        EngineFixture f = fleet(false);
        // declared at 112; a stray heartbeat at 115 (after the declaration), then the reading at
        // 120
        f.beats("h1", 0, 100, 1).beats("h1", 115, 115, 1, "mgmt").domain(120, "pd-r1", "off").run();
        assertThat(f.commands("RESTART_VM")).isEmpty();
        assertThat(f.alerts).noneMatch(a -> a.kind().equals("CONFIRM_IGNORED"));
    }
}
