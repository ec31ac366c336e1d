package io.vmres.deploy.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code vmres bench ingest} and {@code bench state} at a tiny size, for real (a broker, the live
 * job and the passthrough on MiniClusters): their files, and figures that agree with each other.
 */
@Tag("slow")
class BenchPartsITCase {
    @TempDir Path dir;

    private int run(String... args) {
        StringWriter err = new StringWriter();
        int code = new Cli(new WiredActions()).setErr(new PrintWriter(err, true)).run(args);
        assertThat(code).as(err.toString()).isEqualTo(Cli.OK);
        return code;
    }

    @Test
    void ingestCountsEveryRecordItWroteInBothJobs() throws Exception {
        Path copy = dir.resolve("copy.json");
        run(
                "bench",
                "ingest",
                "--hosts",
                "100",
                "--rounds",
                "3",
                "--repeats",
                "1",
                "--out",
                dir.toString(),
                "--json",
                copy.toString());
        JsonNode doc = new ObjectMapper().readTree(dir.resolve("ingest.json").toFile());
        // 100 hosts, 10 VMs each: 1,100 inventory records; 3 rounds of 2 heartbeats a host and,
        // on the first round, a power reading of each host
        long produced = doc.get("eventsProduced").asLong();
        assertThat(produced).isGreaterThan(100 + 3 * 200 + 100);
        assertThat(doc.get("eventsCountedLive").asLong()).isEqualTo(produced);
        double live = doc.get("liveEventsPerS").asDouble();
        double base = doc.get("passthroughEventsPerS").asDouble();
        assertThat(live).isPositive();
        assertThat(base).isPositive();
        assertThat(doc.get("ratioToPassthrough").asDouble())
                // the rates are whole events/s: at this size their rounding moves the ratio a
                // little
                .isCloseTo(live / base, org.assertj.core.data.Percentage.withPercentage(1));
        // the live job's time until its engines had every record includes its time to read them
        assertThat(doc.get("liveDecidedEventsPerS").asDouble())
                .isPositive()
                .isLessThanOrEqualTo(live);
        assertThat(doc.get("cpuRatioToPassthrough").asDouble()).isPositive();
        JsonNode target = doc.get("targets").get("ratioToPassthrough");
        assertThat(target.get("min").asDouble()).isEqualTo(0.7);
        assertThat(target.get("met").asBoolean())
                .isEqualTo(doc.get("ratioToPassthrough").asDouble() >= 0.7);
        assertThat(doc.get("machine").get("cores").asInt()).isPositive();
        assertThat(doc.get("command").asText()).startsWith("vmres bench ingest --hosts 100");
        assertThat(new ObjectMapper().readTree(copy.toFile())).isEqualTo(doc);
        assertThat(Files.readString(dir.resolve("ingest.md")))
                .startsWith("## ingest\n")
                .contains("`ratioToPassthrough`", "ingest-rates.svg");
        assertThat(Files.readString(dir.resolve("ingest-rates.svg"))).startsWith("<svg");
    }

    @Test
    void stateWeighsTheCheckpointOfEveryVm() throws Exception {
        run(
                "bench",
                "state",
                "--hosts",
                "40",
                "--vms-per-host",
                "5",
                "--rounds",
                "2",
                "--out",
                dir.toString());
        JsonNode doc = new ObjectMapper().readTree(dir.resolve("state.json").toFile());
        // the checkpoint holds every VM's record: some bytes each, and no less than the ids alone
        double perVm = doc.get("bytesPerVm").asDouble();
        assertThat(perVm).isGreaterThan(10);
        assertThat(doc.get("checkpointBytes10kHosts").asDouble())
                .isGreaterThanOrEqualTo(perVm * 40 * 5 / 2);
        assertThat(doc.get("checkpointS10kHosts").asDouble()).isPositive();
        // a fleet of 40 hosts says nothing of the 10,000-host checkpoint target
        assertThat(doc.get("targets").has("checkpointS10kHosts")).isFalse();
        assertThat(doc.get("targets").get("bytesPerVm").get("met").asBoolean())
                .isEqualTo(perVm <= 2048);
        String md = Files.readString(dir.resolve("state.md"));
        assertThat(md).startsWith("## state\n").contains("| 40 | 200 | 1 |", "| 40 | 200 | 10 |");
        assertThat(Files.exists(dir.resolve("state-bytes-per-vm.svg"))).isTrue();
    }
}
