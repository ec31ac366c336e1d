package io.vmres.deploy.dashboard;

import io.vmres.engine.ClusterEngine;
import io.vmres.engine.Engine;
import io.vmres.engine.EngineOptions;
import io.vmres.engine.IncidentFigures;
import io.vmres.engine.event.Event;
import io.vmres.engine.event.PowerDomainReading;
import io.vmres.engine.out.AlertOut;
import io.vmres.engine.out.CommandOut;
import io.vmres.engine.out.HostStateOut;
import io.vmres.engine.out.IncidentOut;
import io.vmres.engine.out.Output;
import io.vmres.engine.out.ResultOut;
import io.vmres.engine.recording.LocalReplay;
import io.vmres.schema.PowerDomain;
import io.vmres.schema.PowerState;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A recording replayed for the dashboard: the cluster engines with their simulated hypervisor, as
 * {@link LocalReplay} runs them (the decisions of the job, which {@code ReplayJobITCase} holds to
 * be the same), paced so that event time runs {@code speed} times as fast as the wall clock. Every
 * decision and the fleet view of every host go to the model as they are taken; the replay files are
 * written as well. Between two instants, and once it ended, its engines answer the page's what-if
 * questions ({@link WhatIfEngines}).
 */
public final class PacedReplay {
    private final DashboardModel model;
    private final double speed;
    private long firstTs = Long.MIN_VALUE;
    private long startNanos;

    /** The latest instant an engine ran, and whether the replay holds the engines for it. */
    private long current = Long.MIN_VALUE;

    private boolean held;
    private Runnable afterInstant = () -> {};

    /**
     * @param speed event time over wall time; {@code Double.POSITIVE_INFINITY} for no pacing
     */
    public PacedReplay(DashboardModel model, double speed) {
        if (!(speed > 0)) {
            throw new IllegalArgumentException("speed must be above 0, not " + speed);
        }
        this.model = model;
        this.speed = speed;
    }

    /** Runs {@code r} after each instant of each cluster: tools hold the replay at a moment. */
    PacedReplay afterInstant(Runnable r) {
        this.afterInstant = r;
        return this;
    }

    /**
     * Replays {@code recording}, writing the replay files into {@code out}. The page says it is
     * replaying, and once it is over that it ended (the model holds the final state).
     */
    public LocalReplay.Result run(Path recording, Path out, Map<String, String> overrides)
            throws Exception {
        String name = recording.getFileName().toString();
        model.status(
                FeedStatus.of(
                        FeedStatus.State.REPLAYING,
                        "replaying "
                                + name
                                + (Double.isInfinite(speed)
                                        ? " as fast as it goes"
                                        : String.format(
                                                Locale.ROOT,
                                                " with event time at %sx",
                                                BigDecimal.valueOf(speed)
                                                        .stripTrailingZeros()
                                                        .toPlainString())),
                        System.currentTimeMillis()));
        String end = "the replay of " + name + " stopped before its end";
        try {
            LocalReplay.Result r =
                    LocalReplay.run(
                            recording,
                            out,
                            overrides,
                            (cluster, settings) -> {
                                ClusterEngine engine =
                                        new ClusterEngine(
                                                cluster, settings, EngineOptions.simulated());
                                hold();
                                model.whatIf().add(cluster, engine);
                                return paced(engine, new ModelOutput(cluster, model));
                            });
            end = "the replay of " + name + " is over: nothing more will come";
            return r;
        } finally {
            if (held) {
                held = false;
                model.whatIf().release(current);
            }
            model.status(
                    FeedStatus.of(FeedStatus.State.REPLAY_ENDED, end, System.currentTimeMillis()));
        }
    }

    /**
     * The engines are the replay's while an instant runs; between two instants, once every engine
     * is done with the earlier one, a what-if question may take them.
     */
    private void instant(long t) {
        if (held && t <= current) {
            return; // the same instant, or a new engine's earlier ones
        }
        if (held) {
            held = false;
            model.whatIf().release(current);
        }
        pace(t);
        hold();
        current = Math.max(current, t);
    }

    private void hold() {
        if (!held) {
            model.whatIf().hold();
            held = true;
        }
    }

    /** Waits until the wall clock reaches event time {@code ts} at the replay's speed. */
    private synchronized void pace(long ts) {
        if (firstTs == Long.MIN_VALUE) {
            firstTs = ts;
            startNanos = System.nanoTime();
            return;
        }
        if (Double.isInfinite(speed)) {
            return;
        }
        long due = startNanos + (long) ((ts - firstTs) * 1e6 / speed);
        long wait = due - System.nanoTime();
        if (wait > 0) {
            try {
                TimeUnit.NANOSECONDS.sleep(wait);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("replay interrupted", e);
            }
        }
    }

    private Engine paced(Engine engine, ModelOutput model) {
        return new Engine() {
            @Override
            public void advance(long t, List<Event> eventsAtT, Output out) {
                instant(t);
                for (Event e : eventsAtT) {
                    // input, not a decision: the readings the page shows of each power domain
                    // (each cluster gets every one; the model keeps the latest)
                    if (e instanceof PowerDomainReading d) {
                        PacedReplay.this.model.apply(reading(d));
                    }
                }
                engine.advance(t, eventsAtT, new Tee(out, model));
                afterInstant.run();
            }

            @Override
            public long nextDue() {
                return engine.nextDue();
            }

            @Override
            public void endOfInput(long lastTs) {
                hold();
                engine.endOfInput(lastTs);
            }

            @Override
            public void giveUpAtEnd(long endTs, Output out) {
                hold();
                engine.giveUpAtEnd(endTs, new Tee(out, model));
            }

            @Override
            public List<IncidentFigures> figures() {
                return engine.figures();
            }
        };
    }

    private static PowerDomain reading(PowerDomainReading d) {
        return PowerDomain.newBuilder()
                .setPowerDomain(d.powerDomain())
                .setState(PowerState.valueOf(d.state()))
                .setSource(d.source())
                .setTs(Instant.ofEpochMilli(d.ts()))
                .build();
    }

    /** The replay's own outputs, and the dashboard's. */
    private record Tee(Output files, Output model) implements Output {
        @Override
        public void command(CommandOut c) {
            files.command(c);
            model.command(c);
        }

        @Override
        public void result(ResultOut r) {
            files.result(r);
            model.result(r);
        }

        @Override
        public void incident(IncidentOut i) {
            files.incident(i);
            model.incident(i);
        }

        @Override
        public void alert(AlertOut a) {
            files.alert(a);
            model.alert(a);
        }

        @Override
        public void hostState(HostStateOut s) {
            model.hostState(s);
        }

        @Override
        public boolean wantsHostStates() {
            return true;
        }
    }
}
