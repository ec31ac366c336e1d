package io.vmres.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.deploy.commands.FleetControl;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/** The fault requests of {@code vmres fleet}: each asks its own fault of the target it is given. */
class FleetRequestsTest {
    private static FleetCommand.Request parse(String... args) {
        CommandLine.ParseResult parsed = new CommandLine(FleetCommand.class).parseArgs(args);
        return (FleetCommand.Request) parsed.subcommand().commandSpec().userObject();
    }

    @Test
    void eachRequestAsksItsFaultOfItsTarget() {
        FleetCommand.Request repair = parse("repair", "r03", "--control", "ctl");
        assertThat(repair.fault()).isEqualTo(FleetControl.Fault.REPAIR);
        assertThat(repair.target()).isEqualTo("r03");
        assertThat(repair.control).isEqualTo(Path.of("ctl"));
        FleetCommand.Request failback = parse("failback", "h7");
        assertThat(failback.fault()).isEqualTo(FleetControl.Fault.FAILBACK);
        assertThat(failback.target()).isEqualTo("h7");
        assertThat(failback.control).isEqualTo(Path.of(FleetCommand.DEFAULT_CONTROL));
        assertThat(parse("crash", "any").fault()).isEqualTo(FleetControl.Fault.CRASH);
        assertThat(parse("rack", "r01").target()).isEqualTo("r01");
        assertThat(parse("rack", "r01").fault()).isEqualTo(FleetControl.Fault.RACK);
        assertThat(parse("degrade", "h2").fault()).isEqualTo(FleetControl.Fault.DEGRADE_ECC);
        assertThat(parse("degrade", "h2", "--kind", "pfa").fault())
                .isEqualTo(FleetControl.Fault.DEGRADE_PFA);
    }

    @Test
    void repairAndFailbackNameTheirTargetAlike() {
        for (String command : new String[] {"repair", "failback"}) {
            String help =
                    new CommandLine(FleetCommand.class)
                            .getSubcommands()
                            .get(command)
                            .getUsageMessage();
            assertThat(help).contains("HOST|RACK", "The host, or the rack.");
        }
    }
}
