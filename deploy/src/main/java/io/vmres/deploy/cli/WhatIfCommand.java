package io.vmres.deploy.cli;

import io.vmres.deploy.whatif.FailureInjection;
import io.vmres.deploy.whatif.WhatIfCheck;
import io.vmres.deploy.whatif.WhatIfQuestion;
import io.vmres.engine.whatif.Failure;
import io.vmres.engine.whatif.WhatIfAnswer;
import io.vmres.schema.KafkaEndpoint;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code vmres whatif}: what vmres would do if hosts, racks or power domains failed now. */
@Command(
        name = "whatif",
        header = "Tells what vmres would do if hosts, racks or power domains failed.",
        description = {
            "Reads the fleet state (a recording up to --at, or a running vmres's input topics),"
                    + " then answers from the prestaged plans and the execution model: when each"
                    + " failing host is declared, where each of its HA VMs is restarted and when,"
                    + " which stay unplaced and why, and the predicted recovery time. The failures"
                    + " are taken as power losses right after --at (BMCs read off); several at once"
                    + " fail together. --check replays the recording with the failures written in"
                    + " and sets, per cluster, the answer's targets, unplaced VMs and recovery time"
                    + " beside the replay's (exit 1 when they differ).",
            ""
        },
        footerHeading = "%nExamples:%n",
        footer = {
            "  vmres whatif fleet.jsonl --fail host:h-0012",
            "  vmres whatif fleet.jsonl --fail rack:r02 --fail host:h-0301 --at 90s --json answer.json",
            "  vmres whatif --bootstrap 127.0.0.1:9092 --fail pd:pd03",
            "  vmres whatif fleet.jsonl --fail rack:r05 --at 100s --check"
        })
final class WhatIfCommand extends Subcommand {

    @Parameters(
            index = "0",
            arity = "0..1",
            paramLabel = "RECORDING",
            description = "The recording (JSON Lines); or --bootstrap.")
    private Path recording;

    @Option(
            names = "--bootstrap",
            paramLabel = "HOST:PORT",
            description =
                    "Read the latest fleet state from the input topics of this Kafka instead.")
    private String bootstrap;

    @Option(
            names = "--kafka-properties",
            paramLabel = "FILE",
            description =
                    "Kafka client properties (security.protocol, SASL, TLS trust store) for"
                            + " reading --bootstrap.")
    private Path kafkaProperties;

    @Option(
            names = "--fail",
            required = true,
            paramLabel = "WHAT",
            description = "host:ID, rack:ID or pd:ID; repeatable: they fail together.")
    private List<String> fail = new ArrayList<>();

    @Option(
            names = "--at",
            paramLabel = "TIME",
            description =
                    "A timestamp or a duration after the first event (90s); default: the last event.")
    private String at;

    @Option(names = "--json", paramLabel = "FILE", description = "Also write the answer as JSON.")
    private Path json;

    @Option(
            names = "--inject",
            paramLabel = "FILE",
            description =
                    "Also write the recording with the failures in it (the hosts silent after --at,"
                            + " their BMCs reading off 1 s later), to replay what the answer predicts.")
    private Path inject;

    @Option(
            names = "--check",
            description =
                    "Also replay the recording with the failures written in (as --inject) and"
                            + " compare: the same target for every VM, as many unplaced, the"
                            + " recovery time within --check-tolerance; exit 1 when not.")
    private boolean check;

    @Option(
            names = "--check-tolerance",
            defaultValue = "0.05",
            paramLabel = "FRACTION",
            description =
                    "How far the replay's recovery time may be from the answer's (default:"
                            + " ${DEFAULT-VALUE}).")
    private double checkTolerance;

    @Option(
            names = "--check-out",
            paramLabel = "DIR",
            description =
                    "Keep the check's replay output here (default: a temporary folder, removed).")
    private Path checkOut;

    @Override
    public Integer call() throws Exception {
        List<Failure> failures = new ArrayList<>();
        for (String f : fail) {
            try {
                failures.add(Failure.parse(f));
            } catch (IllegalArgumentException e) {
                throw usage("--fail: " + e.getMessage());
            }
        }
        if ((recording == null) == (bootstrap == null)) {
            throw usage("give a RECORDING or --bootstrap HOST:PORT (one of them)");
        }
        if (json != null) {
            writableTarget(json, "--json");
        }
        if (inject != null) {
            if (recording == null) {
                throw usage("--inject needs a RECORDING");
            }
            writableTarget(inject, "--inject");
        }
        if (check && recording == null) {
            throw usage("--check needs a RECORDING");
        }
        if (!(checkTolerance >= 0)) {
            throw usage("--check-tolerance must be 0 or more");
        }
        WhatIfQuestion.Asked asked;
        if (recording != null) {
            At moment = at(at);
            asked =
                    WhatIfQuestion.ask(
                            readableFile(recording, "RECORDING"),
                            moment.timestamp(),
                            moment.afterFirstMs(),
                            failures);
            if (asked.state().events() == 0) {
                err().println(
                                "warning: "
                                        + recording
                                        + " holds no valid event: is it a recording?");
                return Cli.FAILURE;
            }
        } else {
            if (at != null) {
                throw usage("--at reads a recording; with --bootstrap the state is the latest");
            }
            asked =
                    WhatIfQuestion.askKafka(
                            KafkaEndpoint.load(
                                    bootstrap,
                                    kafkaProperties == null
                                            ? null
                                            : readableFile(kafkaProperties, "--kafka-properties")),
                            failures,
                            new java.io.PrintStream(System.err, true));
        }
        WhatIfQuestion.print(asked, out());
        if (json != null) {
            Files.writeString(json, WhatIfQuestion.json(asked.answer()), StandardCharsets.UTF_8);
            out().println("answer: " + json);
            out().flush();
        }
        if (inject != null) {
            FailureInjection.write(recording, inject, asked.answer());
            out().println("recording with the failures: " + inject);
            out().flush();
        }
        if (asked.answer().unmatched().size() == failures.size()) {
            return Cli.FAILURE;
        }
        if (check) {
            return check(asked.answer()) ? Cli.OK : Cli.FAILURE;
        }
        return Cli.OK;
    }

    /** Replays the failures and prints the comparison; whether it matches. */
    private boolean check(WhatIfAnswer answer) throws Exception {
        Path tmp = Files.createTempDirectory("vmres-whatif-check");
        try {
            Path replay = checkOut != null ? checkOut : tmp.resolve("replay");
            WhatIfCheck.Result r =
                    WhatIfCheck.check(
                            recording,
                            answer,
                            tmp.resolve("injected.jsonl"),
                            replay,
                            checkTolerance);
            WhatIfCheck.print(r, out());
            if (checkOut != null) {
                out().println("replay output: " + checkOut);
                out().flush();
            }
            return r.matches();
        } finally {
            try (Stream<Path> walk = Files.walk(tmp)) {
                for (Path f : walk.sorted(Comparator.reverseOrder()).toList()) {
                    Files.delete(f);
                }
            }
        }
    }
}
