package io.vmres.deploy.cli;

import io.vmres.deploy.bench.Bench;
import io.vmres.deploy.commands.Demo;
import io.vmres.deploy.commands.Generate;
import io.vmres.deploy.commands.Replay;
import io.vmres.deploy.runtime.Lifecycle;

/**
 * Connects each subcommand to the code that does its work: one line per subcommand. A line that
 * still throws {@link NotWiredException} marks a subcommand not yet built.
 */
public final class WiredActions implements Actions {

    @Override
    public int demo(DemoArgs args, Lifecycle lifecycle) throws Exception {
        return Demo.run(
                args.duration(),
                args.hosts(),
                args.vmsPerHost(),
                args.crashEvery(),
                args.seed(),
                args.dashboard().map(d -> d.port()),
                lifecycle,
                System.out);
    }

    @Override
    public int replay(ReplayArgs args, Lifecycle lifecycle) throws Exception {
        if (args.dashboard().isPresent()) {
            ReplayDashboard d = args.dashboard().get();
            io.vmres.deploy.dashboard.DashboardModel model =
                    new io.vmres.deploy.dashboard.DashboardModel(io.vmres.engine.Settings.DEFAULTS);
            io.vmres.deploy.dashboard.DashboardServer server =
                    lifecycle.register(
                            serve(model, d.listen().bind(), d.listen().port(), "--dashboard-port"));
            System.out.printf(
                    java.util.Locale.ROOT,
                    "dashboard: %s (event time at %sx)%n",
                    server.url(),
                    d.speed());
            new io.vmres.deploy.dashboard.PacedReplay(model, d.speed())
                    .run(
                            args.recording(),
                            args.out(),
                            Replay.overrides(args.config(), args.settings()));
            // The same account as a plain replay, from the summary the replay wrote.
            int code =
                    Replay.report(
                            io.vmres.job.replay.ReplayJob.Result.read(
                                    args.out().resolve("summary.json")),
                            args.out(),
                            System.out,
                            System.err);
            System.out.println("the dashboard stays up until Ctrl-C");
            lifecycle.awaitShutdown();
            return code;
        }
        return Replay.run(
                args.recording(),
                args.out(),
                Replay.overrides(args.config(), args.settings()),
                args.parallelism(),
                System.out,
                System.err);
    }

    /** The dashboard's server; a port in use says which option picks a free one. */
    static io.vmres.deploy.dashboard.DashboardServer serve(
            io.vmres.deploy.dashboard.DashboardModel model, String bind, int port, String option)
            throws Exception {
        try {
            return io.vmres.deploy.dashboard.Dashboard.serve(model, bind, port, null);
        } catch (java.net.BindException e) {
            throw new IllegalStateException(
                    "port " + port + " is in use; " + option + " 0 picks a free one", e);
        }
    }

    @Override
    public int record(RecordArgs args, Lifecycle lifecycle) throws Exception {
        // Fully qualified here and below: each subcommand's wiring stays within its own method.
        io.vmres.deploy.commands.Recorder recorder =
                lifecycle.register(
                        io.vmres.deploy.commands.Recorder.builder(args.kafka(), args.out())
                                .duration(args.duration().orElse(null))
                                .fromNow(args.fromNow())
                                .build());
        recorder.run();
        return 0;
    }

    @Override
    public int confirm(ConfirmArgs args, Lifecycle lifecycle) throws Exception {
        return io.vmres.deploy.commands.Confirm.run(
                args.kafka(),
                args.host(),
                args.reason(),
                args.requestedBy(),
                args.answerWait(),
                java.time.Clock.systemUTC(),
                System.out);
    }

    @Override
    public int connector(ConnectorArgs args, Lifecycle lifecycle) throws Exception {
        io.vmres.connector.runtime.ConnectorSettings settings =
                args.config()
                        .map(io.vmres.connector.runtime.ConnectorSettings::load)
                        .orElseGet(io.vmres.connector.runtime.ConnectorSettings::empty);
        return io.vmres.deploy.commands.HardwareConnector.run(
                args.type().toString(),
                settings.kafka(args.kafka()),
                settings,
                lifecycle,
                System.out);
    }

    @Override
    public int dashboard(DashboardArgs args, Lifecycle lifecycle) throws Exception {
        io.vmres.deploy.dashboard.Dashboard dashboard =
                lifecycle.start(
                        () ->
                                io.vmres.deploy.dashboard.Dashboard.start(
                                        args.kafka(),
                                        new io.vmres.deploy.dashboard.DashboardServer.Options(
                                                args.listen().bind(),
                                                args.listen().port(),
                                                args.listen().token().orElse(null),
                                                args.listen().allowHosts(),
                                                io.vmres.deploy.dashboard.DashboardServer.Options
                                                        .MAX_STREAMS),
                                        io.vmres.engine.Settings.DEFAULTS,
                                        // what the page's badge says, on the terminal too
                                        s -> System.out.println("dashboard: " + s.line())));
        System.out.printf("dashboard of %s: %s%n", args.kafka().bootstrap(), dashboard.url());
        lifecycle.awaitShutdown();
        return 0;
    }

    @Override
    public int generate(GenerateArgs args, Lifecycle lifecycle) throws Exception {
        return Generate.run(args, System.out);
    }

    @Override
    public int bench(BenchArgs args, Lifecycle lifecycle) throws Exception {
        if (args.target() == Actions.BenchTarget.RECOVERY) {
            return io.vmres.deploy.bench.RecoveryBench.run(args, System.out);
        }
        return Bench.run(args, System.out);
    }
}
