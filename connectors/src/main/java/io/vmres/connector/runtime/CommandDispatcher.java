package io.vmres.connector.runtime;

import io.vmres.schema.Alert;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.Command;
import io.vmres.schema.CommandResult;
import io.vmres.schema.CommandStatus;
import io.vmres.schema.sign.RecordSigning;
import io.vmres.schema.sign.Verdict;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Takes the commands read, answers a command id seen before without a new call, queues the others
 * and starts them oldest first within the in-flight limits per target host and overall; answers
 * each once, hands the answer to the {@link ResultWriter} and gives its slot to the next.
 *
 * <p>Threads: the poll thread submits and drains; workers and the watchdog answer. All scheduling
 * state is guarded by one lock.
 */
final class CommandDispatcher implements ResultWriter.PendingStarts {
    private static final Logger LOG = LoggerFactory.getLogger(CommandDispatcher.class);

    private final HypervisorConnector connector;
    private final ConnectorOptions options;
    private final ServiceCounters counters;
    private final ServiceState state;
    private final ResultWriter writer;
    private final CallRunner calls;

    private final AvroCodec codec = new AvroCodec();
    private final Object lock = new Object();
    private final LinkedList<CommandJob> queue = new LinkedList<>();
    // Every command id queued, waiting to start or running: a redelivery joins its job.
    private final Map<String, CommandJob> active = new HashMap<>();
    private final Map<String, Integer> runningPerTarget = new HashMap<>();
    private final RecentResults answered;
    // Holding a slot, waiting for the writer to record their start (see ResultWriter.recordsStart).
    private final List<CommandJob> awaitingStart = new ArrayList<>();
    private int running;

    CommandDispatcher(
            HypervisorConnector connector,
            ConnectorOptions options,
            ServiceCounters counters,
            ServiceState state,
            ResultWriter writer) {
        this.connector = connector;
        this.options = options;
        this.counters = counters;
        this.state = state;
        this.writer = writer;
        this.answered = new RecentResults(options.rememberedResults());
        this.calls = new CallRunner(connector, options, counters, this::answer);
    }

    /** A command read: answered again, joined to the same command in flight, skipped, or queued. */
    void submit(Command command, Delivery delivery) {
        submit(command, delivery, options.signing() == null ? null : verify(command));
    }

    /**
     * Whether {@code command} may run now, by its signature (the options' signing, which must be
     * set): safe to call from any thread.
     */
    Verdict verify(Command command) {
        return options.signing()
                .verify(
                        command,
                        Instant.ofEpochMilli(options.clock().millis()),
                        options.commandMaxAge(),
                        options.clockSkew());
    }

    /**
     * As {@link #submit(Command, Delivery)}, with the command's {@link #verify verdict} taken
     * already (null when commands are not signed).
     */
    void submit(Command command, Delivery delivery, Verdict verified) {
        String id = command.getCommandId();
        CommandResult earlier;
        RecordSigning signing = options.signing();
        if (signing != null) {
            Verdict v = verified != null ? verified : verify(command);
            if (!v.valid()) {
                reject(command, v.reason(), delivery);
                return;
            }
        }
        synchronized (lock) {
            String asks = fingerprint(command, delivery);
            String known = knownFingerprintLocked(id);
            if (known != null && !known.equals(asks)) {
                if (signing != null) {
                    reject(command, replayReason(id, asks, known), delivery);
                } else {
                    refuse(command, asks, known, delivery);
                }
                return;
            }
            earlier = answered.get(id);
            if (earlier == null && !active.containsKey(id)) {
                ResultWriter.Prior prior = writer.prior(id);
                if (prior == ResultWriter.Prior.ANSWERED) {
                    // Answered before a restart, in the transaction that wrote its result: never
                    // again.
                    counters.duplicate();
                    LOG.info(
                            "command={} event=duplicate answered before a restart: not answered again",
                            id);
                    writer.pass(delivery);
                    return;
                }
                if (prior == ResultWriter.Prior.IN_DOUBT) {
                    counters.inDoubt();
                    LOG.warn("command={} event=in-doubt started before a restart, no result", id);
                    Request request;
                    try {
                        request = Request.of(command);
                    } catch (IllegalArgumentException | NullPointerException e) {
                        request = null; // answered as invalid below
                    }
                    if (request != null) {
                        enqueueLocked(new CommandJob(command, request, true, delivery, asks));
                        return;
                    }
                }
            }
            if (earlier == null) {
                CommandJob same = active.get(id);
                if (same != null) {
                    // Running or queued: this delivery gets the same answer when it comes.
                    counters.duplicate();
                    same.deliveries.add(delivery);
                    return;
                }
                Request request;
                try {
                    request = Request.of(command);
                } catch (IllegalArgumentException | NullPointerException e) {
                    // It has an id, so the job gets an answer rather than a dead letter.
                    LOG.warn("invalid command {}: {}", id, e.getMessage());
                    CommandJob invalid = new CommandJob(command, null, false, delivery, asks);
                    active.put(id, invalid);
                    calls.answerLater(
                            invalid, Outcome.failed("invalid command: " + e.getMessage()));
                    return;
                }
                if (!connector.handles(request)) {
                    // Another connector's command: nothing to run, nothing to answer.
                    counters.skipped();
                    writer.pass(delivery);
                    return;
                }
                enqueueLocked(new CommandJob(command, request, false, delivery, asks));
                return;
            }
        }
        counters.duplicate();
        writer.answerAgain(earlier, delivery);
    }

    /**
     * What a command asks for; with signing, also where it was read (partition and offset): a
     * redelivery is read at the same place, a copy written again by anyone is read elsewhere.
     */
    private String fingerprint(Command command, Delivery delivery) {
        String asks = Request.fingerprint(command);
        return options.signing() == null ? asks : asks + AT + delivery.origin();
    }

    private static final String AT = " at ";

    private static String replayReason(String id, String asks, String known) {
        int a = asks.lastIndexOf(AT);
        int k = known.lastIndexOf(AT);
        if (a >= 0 && k >= 0 && asks.substring(0, a).equals(known.substring(0, k))) {
            return "replayed: command id "
                    + id
                    + " already read at "
                    + known.substring(k + AT.length())
                    + ", again at "
                    + asks.substring(a + AT.length());
        }
        return "conflicting command id " + id + ": asks " + asks + ", known as " + known;
    }

    /**
     * A command that must not run: unsigned, forged, altered, signed with an unknown or retired
     * key, stale, or replayed. It gets a {@code REJECTED} result (outside the ledger: the id's
     * entry, if any, stays the genuine command's) and an alert; nothing is called.
     */
    private void reject(Command command, String reason, Delivery delivery) {
        counters.rejected();
        Instant now = Instant.ofEpochMilli(options.clock().millis());
        String id = command.getCommandId();
        LOG.warn(
                "command={} action={} host={} target={} event=rejected reason=\"{}\" at={}",
                id,
                command.getAction(),
                command.getHost(),
                command.getTarget(),
                reason,
                delivery.origin());
        String detail = "rejected: " + reason;
        CommandResult result =
                signed(
                        CommandResult.newBuilder()
                                .setCommandId(id)
                                .setStatus(CommandStatus.REJECTED)
                                .setDetail(detail)
                                .setCluster(command.getCluster())
                                .setHost(command.getHost())
                                .setTs(now)
                                .build());
        List<String> vms = new ArrayList<>();
        if (command.getVm() != null) {
            vms.add(command.getVm());
        } else if (command.getVms() != null) {
            vms.addAll(command.getVms());
        }
        Alert alert =
                Alert.newBuilder()
                        .setKind("COMMAND_REJECTED")
                        .setIncidentId(command.getIncidentId())
                        .setHost(command.getHost())
                        .setVms(vms)
                        .setDetail(
                                command.getAction()
                                        + " "
                                        + id
                                        + " (read at "
                                        + delivery.origin()
                                        + ") not run by "
                                        + options.clientId()
                                        + ": "
                                        + reason)
                        .setCluster(command.getCluster())
                        .setTs(now)
                        .build();
        writer.write(
                options.alertsTopic(),
                command.getCluster() != null ? command.getCluster() : command.getHost(),
                codec.encode(alert),
                delivery.beside());
        writer.write(
                options.resultsTopic(), ResultWriter.keyOf(result), codec.encode(result), delivery);
    }

    /** A result signed with the key that signs results, when the service signs. */
    private CommandResult signed(CommandResult r) {
        RecordSigning signing = options.signing();
        return signing == null
                ? r
                : signing.sign(r, Instant.ofEpochMilli(options.clock().millis()));
    }

    /** What the command known under this id asks for: answered, in flight, or in the ledger. */
    private String knownFingerprintLocked(String id) {
        String fp = answered.fingerprint(id);
        if (fp != null) {
            return fp;
        }
        CommandJob same = active.get(id);
        if (same != null) {
            return same.fingerprint;
        }
        return writer.fingerprint(id);
    }

    /**
     * A command whose id is known with another action, host, target or VM: never run, never
     * answered with the other's result. It gets its own {@code FAILED} answer, outside the ledger
     * (the id's entry stays the first command's).
     */
    private void refuse(Command command, String asks, String known, Delivery delivery) {
        counters.conflict();
        counters.answered(String.valueOf(command.getAction()), Outcome.Status.FAILED, 0);
        String detail =
                "conflicting command id "
                        + command.getCommandId()
                        + ": asks "
                        + asks
                        + ", known as "
                        + known
                        + "; refused";
        LOG.warn(
                "command={} event=conflicting-id asks=\"{}\" known=\"{}\": refused",
                command.getCommandId(),
                asks,
                known);
        CommandResult result =
                signed(
                        CommandResult.newBuilder()
                                .setCommandId(command.getCommandId())
                                .setStatus(CommandStatus.FAILED)
                                .setDetail(detail)
                                .setCluster(command.getCluster())
                                .setHost(command.getHost())
                                .setTs(Instant.ofEpochMilli(options.clock().millis()))
                                .build());
        writer.write(
                options.resultsTopic(), ResultWriter.keyOf(result), codec.encode(result), delivery);
    }

    private void enqueueLocked(CommandJob job) {
        active.put(job.id(), job);
        queue.add(job);
        dispatchLocked();
    }

    /** Commands waiting for a slot now: fetching pauses above a bound. */
    int queued() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** The counters, with the calls running and commands queued now. */
    CommandOutcomes outcomes() {
        return counters.outcomes();
    }

    ConnectorCounters counters() {
        int queued;
        int inFlight;
        synchronized (lock) {
            queued = queue.size();
            inFlight = running;
        }
        return counters.snapshot(inFlight, queued);
    }

    /**
     * Partitions given up: a queued command read only from them is read again by their new owner.
     */
    void dropQueued(Collection<TopicPartition> partitions) {
        synchronized (lock) {
            Iterator<CommandJob> it = queue.iterator();
            while (it.hasNext()) {
                CommandJob j = it.next();
                j.deliveries.removeIf(d -> partitions.contains(d.tp()));
                if (j.deliveries.isEmpty()) {
                    it.remove();
                    active.remove(j.id());
                }
            }
        }
    }

    /** Drops queued commands and waits (until the close deadline) for the calls in flight. */
    void drain() {
        abandon(take());
        synchronized (lock) {
            for (CommandJob j : queue) {
                active.remove(j.id());
            }
            if (!queue.isEmpty()) {
                LOG.info(
                        "closing: {} commands not started are left to be read again", queue.size());
            }
            queue.clear();
            while (running > 0) {
                long left = state.closeDeadlineNanos() - System.nanoTime();
                if (left <= 0) {
                    LOG.warn("closing: {} calls still running are left unanswered", running);
                    break;
                }
                try {
                    TimeUnit.NANOSECONDS.timedWait(lock, left);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    break;
                }
            }
        }
    }

    /** Interrupts the calls still running, after close. */
    void shutdownNow() {
        calls.shutdownNow();
    }

    // ---- commands whose start the writer records first ----

    @Override
    public List<CommandJob> take() {
        synchronized (lock) {
            List<CommandJob> jobs = new ArrayList<>(awaitingStart);
            awaitingStart.clear();
            return jobs;
        }
    }

    @Override
    public void launch(List<CommandJob> jobs) {
        synchronized (lock) {
            for (CommandJob j : jobs) {
                launchLocked(j);
            }
        }
    }

    /**
     * Gives back the slots of commands that got one but will not run (closing, or their start not
     * recorded): left unanswered, to be read again.
     */
    @Override
    public void abandon(List<CommandJob> jobs) {
        if (jobs.isEmpty()) {
            return;
        }
        synchronized (lock) {
            for (CommandJob j : jobs) {
                j.done.set(true);
                active.remove(j.id());
                releaseSlotLocked(j);
            }
            lock.notifyAll();
        }
        LOG.info("{} commands not started are left to be read again", jobs.size());
    }

    // ---- scheduling ----

    /** Starts queued jobs, oldest first, while their target and the service have room. */
    private void dispatchLocked() {
        if (state.stopping()) {
            return; // closing: what is not started yet is left to be read again
        }
        Iterator<CommandJob> it = queue.iterator();
        while (it.hasNext() && running < options.maxInFlight()) {
            CommandJob j = it.next();
            String key = j.request.limitKey();
            int n = runningPerTarget.getOrDefault(key, 0);
            if (n >= options.maxInFlightPerTarget()) {
                continue;
            }
            it.remove();
            runningPerTarget.put(key, n + 1);
            running++;
            j.holdsSlot = true;
            if (writer.recordsStart(j) && !expired(j)) {
                awaitingStart.add(j); // the writer records its start, then launches it
                writer.startPending();
                continue;
            }
            launchLocked(j);
        }
    }

    private boolean expired(CommandJob j) {
        Duration left = timeLeft(j.command);
        return left.isNegative() || left.isZero();
    }

    /** Starts the call of a job holding a slot, with its watchdog; or answers it expired. */
    private void launchLocked(CommandJob j) {
        j.startedNanos = System.nanoTime();
        Duration left = timeLeft(j.command);
        if (left.isNegative() || left.isZero()) {
            calls.answerLater(j, Outcome.timedOut("expired before it ran"));
            return;
        }
        calls.start(j, left);
    }

    private void releaseSlotLocked(CommandJob j) {
        if (j.holdsSlot) {
            j.holdsSlot = false;
            String key = j.request.limitKey();
            runningPerTarget.merge(key, -1, Integer::sum);
            runningPerTarget.remove(key, 0);
            running--;
        }
    }

    private Duration timeLeft(Command command) {
        if (!options.timeoutFromCommandTs()) {
            return options.commandTimeout();
        }
        long deadline = command.getTs().toEpochMilli() + options.commandTimeout().toMillis();
        return Duration.ofMillis(deadline - options.clock().millis());
    }

    // ---- answers ----

    /** Answers a job once (the call or the watchdog, whichever is first) and starts the next. */
    private boolean answer(CommandJob j, Outcome outcome) {
        if (!j.done.compareAndSet(false, true)) {
            return false;
        }
        if (state.closed()) {
            LOG.warn("command {} answered {} after close: not written", j.id(), outcome);
            return true;
        }
        CommandResult result =
                signed(
                        CommandResult.newBuilder()
                                .setCommandId(j.id())
                                .setStatus(CommandStatus.valueOf(outcome.status().name()))
                                .setDetail(outcome.detail())
                                .setCluster(j.command.getCluster())
                                .setHost(j.command.getHost())
                                .setTs(Instant.ofEpochMilli(options.clock().millis()))
                                .build());
        List<Delivery> deliveries;
        synchronized (lock) {
            if (j.timer != null) {
                j.timer.cancel(false);
            }
            // From here on a redelivery is answered from the record, not attached to this job.
            active.remove(j.id());
            answered.put(j.id(), result, j.fingerprint);
            deliveries = new ArrayList<>(j.deliveries);
        }
        long millis =
                j.startedNanos == 0
                        ? 0
                        : TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - j.startedNanos);
        counters.answered(String.valueOf(j.command.getAction()), outcome.status(), millis);
        LOG.info(
                "command={} action={} target={} status={} millis={} inDoubt={} detail=\"{}\"",
                j.id(),
                j.command.getAction(),
                j.request == null ? j.command.getHost() : j.request.limitKey(),
                outcome.status(),
                millis,
                j.inDoubt,
                outcome.detail() == null ? "" : outcome.detail());
        writer.writeResult(result, outcome, j.fingerprint, deliveries);
        // The slot is given back only once the result is handed to the writer, so that close,
        // which waits for the slots, then flushes and commits, never misses a result.
        synchronized (lock) {
            releaseSlotLocked(j);
            dispatchLocked();
            lock.notifyAll();
        }
        return true;
    }
}
