package io.vmres.deploy.cli;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vmres.deploy.bench.BenchReport;
import io.vmres.deploy.bench.BenchResult;
import io.vmres.deploy.bench.DetectBench;
import io.vmres.deploy.bench.IngestBench;
import io.vmres.deploy.bench.PartSummaries;
import io.vmres.deploy.bench.PlanBench;
import io.vmres.deploy.bench.StateBench;
import io.vmres.deploy.bench.live.LiveBench;
import io.vmres.deploy.cli.Actions.BenchArgs;
import io.vmres.deploy.cli.Actions.BenchTarget;
import io.vmres.deploy.runtime.LiveRuntime;
import io.vmres.deploy.runtime.cluster.Installation;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code vmres bench all}: every part in turn, then {@code DIR/report.md}. */
@Command(
        name = "all",
        header = "Every part in turn (about 20 minutes on 2 cores), then DIR/report.md.",
        description = {
            "Runs replay, ingest, detect, state, recovery, plan and live one after the other, with"
                    + " settings that fit about 20 minutes on a 2-core machine, each writing its"
                    + " files into DIR, then DIR/report.md: the machine, the date, the commands,"
                    + " every target and every part's section. Live runs on the embedded runtime,"
                    + " then (unless --quick) three single hosts and the rack again with the"
                    + " brokers and the job on the multi-process cluster, figures cluster...."
                    + " A part that fails is reported as"
                    + " not run, with its error. --update-docs also replaces the generated part"
                    + " of docs/benchmarks.md (and the README's headline figures) and copies the"
                    + " plots to docs/bench/.",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {"  vmres bench all", "  vmres bench all --update-docs --out /tmp/bench"})
final class BenchAllCommand extends BenchPart {
    @Option(
            names = "--update-docs",
            description =
                    "Replace the generated part of docs/benchmarks.md and the README's headline"
                            + " (run from the repository's root).")
    boolean updateDocs;

    @Option(
            names = "--quick",
            description =
                    "Small sizes everywhere: a look at the report in a few minutes, not"
                            + " figures to compare with the targets.")
    boolean quick;

    @Override
    public Integer call() throws Exception {
        Path docs = Path.of("docs", "benchmarks.md");
        if (updateDocs && !Files.exists(docs)) {
            throw usage("--update-docs: no " + docs + " here; run from the repository's root");
        }
        Path dir = dir();
        Instant start = Instant.now();
        BenchReport report = new BenchReport(BenchResult.machineNow(), command(), start);
        Map<String, Callable<BenchResult>> parts = new LinkedHashMap<>();
        parts.put("replay", () -> replay(dir));
        parts.put(
                "ingest",
                () ->
                        IngestBench.run(
                                quick
                                        ? new IngestBench.Options(500, 10, 10, 1, 2)
                                        : new IngestBench.Options(10_000, 10, 20, 1, 2),
                                "vmres bench ingest"
                                        + (quick
                                                ? " --hosts 500 --rounds 10 --repeats 1"
                                                : " --rounds 20 --repeats 1"),
                                console()));
        parts.put(
                "detect",
                () ->
                        DetectBench.run(
                                quick
                                        ? new DetectBench.Options(
                                                2_000,
                                                3,
                                                Duration.ofSeconds(2),
                                                Duration.ofSeconds(15),
                                                2)
                                        : DetectBench.Options.defaults(),
                                dir,
                                "vmres bench detect"
                                        + (quick
                                                ? " --full-rate 2000 --crashes 3 --warmup 15s"
                                                : ""),
                                console()));
        parts.put(
                "state",
                () -> {
                    StateBench.Options d = StateBench.Options.defaults();
                    StateBench.Options o =
                            quick
                                    ? new StateBench.Options(
                                            java.util.List.of(
                                                    new StateBench.Size(200, 10, 1),
                                                    new StateBench.Size(200, 10, 10)),
                                            d.rounds(),
                                            d.checkpoints(),
                                            d.parallelism())
                                    : d;
                    return StateBench.run(
                            o, "vmres bench state" + (quick ? " --hosts 200" : ""), console());
                });
        parts.put("recovery", () -> recovery(dir));
        parts.put("plan", () -> plan(dir));
        parts.put("live", () -> live(dir));
        for (Map.Entry<String, Callable<BenchResult>> e : parts.entrySet()) {
            String name = e.getKey();
            long t0 = System.nanoTime();
            if (e.getValue() == null) {
                console().println(name + ": skipped (not part of this build yet)");
                report.add(new BenchReport.Part(name, null, "not part of this build yet", 0));
                continue;
            }
            console()
                    .printf(
                            Locale.ROOT,
                            "== %s (load average %.2f)%n",
                            name,
                            BenchResult.loadAverage());
            try {
                BenchResult r = e.getValue().call();
                r.write(dir);
                report.add(new BenchReport.Part(name, r, null, (System.nanoTime() - t0) / 1e9));
            } catch (Exception ex) {
                console().println(name + ": failed: " + ex);
                report.add(
                        new BenchReport.Part(
                                name,
                                null,
                                "failed: " + ex.getMessage(),
                                (System.nanoTime() - t0) / 1e9));
            }
        }
        Path written = report.write(dir);
        console()
                .printf(
                        Locale.ROOT,
                        "report: %s (%.0f s in all)%n",
                        written,
                        Duration.between(start, Instant.now()).toMillis() / 1000.0);
        if (updateDocs) {
            report.updateDocs(dir, docs, Path.of("README.md"));
            console().println("docs: " + docs + " and docs/bench/");
        }
        return Cli.OK;
    }

    private BenchResult replay(Path dir) throws Exception {
        Path details = dir.resolve("replay-details.json");
        int hosts = quick ? 100 : 400;
        Duration duration = quick ? Duration.ofMinutes(10) : Duration.ofHours(1);
        int runs = quick ? 1 : 2;
        parent.benchActions()
                .bench(
                        new BenchArgs(
                                BenchTarget.REPLAY,
                                hosts,
                                duration,
                                runs,
                                1,
                                Optional.of(details),
                                Optional.empty(),
                                Optional.empty(),
                                1,
                                dir,
                                java.util.List.of(),
                                false,
                                "vmres bench replay"),
                        parent.benchLifecycle());
        return PartSummaries.replay(
                details,
                String.format(
                        Locale.ROOT,
                        "vmres bench replay --hosts %d --duration %s --runs %d",
                        hosts,
                        quick ? "10m" : "1h",
                        runs));
    }

    private BenchResult recovery(Path dir) throws Exception {
        int hosts = quick ? 40 : 400;
        java.util.List<Integer> sizes =
                quick ? java.util.List.of(100) : java.util.List.of(100, 1000);
        String command =
                "vmres bench recovery --hosts "
                        + hosts
                        + " --sizes "
                        + sizes.stream().map(String::valueOf).collect(Collectors.joining(","));
        parent.benchActions()
                .bench(
                        new BenchArgs(
                                BenchTarget.RECOVERY,
                                hosts,
                                Duration.ofHours(1),
                                3,
                                1,
                                Optional.empty(),
                                Optional.empty(),
                                Optional.empty(),
                                1,
                                dir,
                                sizes,
                                false,
                                command),
                        parent.benchLifecycle());
        return BenchResult.readWritten(dir, "recovery");
    }

    private BenchResult live(Path dir) throws Exception {
        LiveBench.Options o =
                quick
                        ? new LiveBench.Options(
                                3,
                                10,
                                3,
                                10,
                                LiveRuntime.DEFAULT_CHECKPOINT_INTERVAL,
                                Duration.ofSeconds(1),
                                false,
                                true,
                                1)
                        : new LiveBench.Options(
                                5,
                                40,
                                4,
                                10,
                                LiveRuntime.DEFAULT_CHECKPOINT_INTERVAL,
                                Duration.ofSeconds(1),
                                false,
                                true,
                                1);
        LiveBench.run(
                o,
                dir,
                quick ? "vmres bench live --quick" : "vmres bench live --singles 5 --no-baseline",
                console());
        if (!quick) {
            onCluster(dir, o);
        }
        return BenchResult.readWritten(dir, "live");
    }

    /**
     * Three single hosts and the rack of {@code embedded} again, the same fleet, with the brokers
     * and the job on the multi-process cluster; its figures join {@code live.json} as {@code
     * cluster...} (no targets), its section and plot {@code live.md}. A cluster that cannot run
     * leaves the part as it was, and says why.
     */
    private void onCluster(Path dir, LiveBench.Options embedded) throws IOException {
        Path sub = dir.resolve("live-cluster");
        String command = "vmres bench live --on-cluster --singles 3 --no-baseline";
        try {
            LiveBench.run(
                    new LiveBench.Options(
                            3,
                            embedded.rackHosts(),
                            embedded.racks(),
                            embedded.vmsPerHost(),
                            embedded.checkpointInterval(),
                            embedded.heartbeatInterval(),
                            false,
                            embedded.steadyTelemetry(),
                            embedded.seed(),
                            embedded.beatPhases(),
                            JobJarOptions.jar(Installation.current(), null)),
                    sub,
                    command,
                    console());
        } catch (Exception e) {
            console().println("live on the cluster: not run: " + e);
            Files.writeString(
                    dir.resolve("live.md"),
                    "\n#### On the multi-process cluster\n\nNot run: "
                            + e.toString().replace('\n', ' ')
                            + "\n",
                    StandardCharsets.UTF_8,
                    StandardOpenOption.APPEND);
            return;
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode doc = (ObjectNode) json.readTree(dir.resolve("live.json").toFile());
        JsonNode cluster = json.readTree(sub.resolve("live.json").toFile());
        cluster.fields()
                .forEachRemaining(
                        e -> {
                            if (e.getValue().isNumber() || e.getValue().isBoolean()) {
                                String k = e.getKey();
                                doc.set(
                                        "cluster"
                                                + Character.toUpperCase(k.charAt(0))
                                                + k.substring(1),
                                        e.getValue());
                            }
                        });
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("live.json").toFile(), doc);
        Files.copy(
                sub.resolve("live-recovery.svg"),
                dir.resolve("live-cluster-recovery.svg"),
                StandardCopyOption.REPLACE_EXISTING);
        String md =
                Files.readString(sub.resolve("live.md"), StandardCharsets.UTF_8)
                        .replaceFirst("^## live\n", "\n#### On the multi-process cluster\n")
                        .replace("(live-recovery.svg)", "(live-cluster-recovery.svg)");
        Files.writeString(
                dir.resolve("live.md"), md, StandardCharsets.UTF_8, StandardOpenOption.APPEND);
    }

    private BenchResult plan(Path dir) throws Exception {
        String command = "vmres bench plan";
        PlanBench.run(PlanBench.repositoryRoot(), false, dir, command, console());
        return BenchResult.readWritten(dir, "plan");
    }
}
