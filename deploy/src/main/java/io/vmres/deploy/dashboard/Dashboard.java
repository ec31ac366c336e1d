package io.vmres.deploy.dashboard;

import io.vmres.engine.Settings;
import io.vmres.schema.KafkaEndpoint;
import java.util.function.Consumer;

/**
 * The streaming dashboard: a {@link DashboardFeed} reading the topics into a {@link
 * DashboardModel}, a {@link WhatIfFeed} keeping engines of the input topics for what-if questions,
 * and a {@link DashboardServer} streaming the model to browsers and answering the questions.
 */
public final class Dashboard implements AutoCloseable {
    private final DashboardModel model;
    private final DashboardFeed feed;
    private final DashboardServer server;
    private final WhatIfFeed whatIf;

    private Dashboard(
            DashboardModel model, DashboardFeed feed, DashboardServer server, WhatIfFeed whatIf) {
        this.model = model;
        this.feed = feed;
        this.server = server;
        this.whatIf = whatIf;
    }

    /**
     * Starts reading {@code kafka}'s topics and serving the page on {@code bind:port} (port 0: any
     * free one).
     *
     * @param token required of every request when not null; required when {@code bind} is not
     *     loopback
     * @param limits the in-flight limits of the job, shown against the commands in flight
     */
    public static Dashboard start(
            KafkaEndpoint kafka, String bind, int port, String token, Settings limits)
            throws Exception {
        return start(kafka, DashboardServer.Options.of(bind, port, token), limits, s -> {});
    }

    /**
     * Starts reading the topics of {@code kafka} and serving the page as {@code listen} says.
     *
     * @param limits the in-flight limits of the job, shown against the commands in flight
     * @param onChange told each new state of the source (broker unreachable, no job writing, live,
     *     ...), on the feed's thread
     */
    public static Dashboard start(
            KafkaEndpoint kafka,
            DashboardServer.Options listen,
            Settings limits,
            Consumer<FeedStatus> onChange)
            throws Exception {
        DashboardModel model = new DashboardModel(limits);
        DashboardServer server = new DashboardServer(model, listen);
        try {
            return new Dashboard(
                    model,
                    new DashboardFeed(kafka, model, onChange),
                    server,
                    new WhatIfFeed(kafka, model.whatIf()));
        } catch (RuntimeException e) {
            server.close();
            throw e;
        }
    }

    /** Serves a model fed by the caller (no Kafka): for tests and tools. */
    public static DashboardServer serve(DashboardModel model, String bind, int port, String token)
            throws Exception {
        return new DashboardServer(model, bind, port, token);
    }

    public DashboardModel model() {
        return model;
    }

    /** The page's address, with the token when one is required. */
    public String url() {
        return server.url();
    }

    @Override
    public void close() {
        server.close();
        whatIf.close();
        feed.close();
    }
}
