package io.vmres.connector.runtime;

import java.time.Duration;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes the connector's calls on a pool of worker threads, each with a watchdog that answers {@code
 * TIMED_OUT} and interrupts the call when its time is up; calls again after a {@link
 * TransientException} while the command has time. Whichever answers first, the call or the
 * watchdog, is the answer.
 */
final class CallRunner {
    private static final Logger LOG = LoggerFactory.getLogger(CallRunner.class);

    /** Takes a command's answer; false when it was answered already. */
    interface Answers {
        boolean answer(CommandJob job, Outcome outcome);
    }

    private final HypervisorConnector connector;
    private final ConnectorOptions options;
    private final ServiceCounters counters;
    private final Answers answers;
    private final ExecutorService workers;
    private final ScheduledExecutorService watchdog;

    CallRunner(
            HypervisorConnector connector,
            ConnectorOptions options,
            ServiceCounters counters,
            Answers answers) {
        this.connector = connector;
        this.options = options;
        this.counters = counters;
        this.answers = answers;
        this.workers = Executors.newCachedThreadPool(threads(options.clientId() + "-call-"));
        this.watchdog =
                Executors.newSingleThreadScheduledExecutor(
                        threads(options.clientId() + "-timeout-"));
    }

    /** Starts a command's call with {@code timeout} to run, and its watchdog. */
    void start(CommandJob j, Duration timeout) {
        j.future = workers.submit(() -> call(j, timeout));
        j.timer =
                watchdog.schedule(
                        () -> onTimeout(j, timeout), timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Answers a command without a call, on a worker (never on the caller's thread, which may hold
     * locks).
     */
    void answerLater(CommandJob j, Outcome outcome) {
        workers.execute(() -> answers.answer(j, outcome));
    }

    /** Interrupts the calls still running: their commands stay unanswered. */
    void shutdownNow() {
        workers.shutdownNow();
        watchdog.shutdownNow();
    }

    private void call(CommandJob j, Duration timeout) {
        counters.called();
        Outcome outcome;
        try {
            outcome = callWithRetries(j, timeout);
        } catch (InterruptedException e) {
            j.callEnded.countDown();
            if (!j.claimed.get()) {
                // Interrupted by close, not by our timeout: leave it unanswered, to be read again.
                LOG.warn("call for command {} interrupted before it finished", j.id());
            }
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            j.callEnded.countDown();
            LOG.warn("connector failed on command {}", j.id(), e);
            Outcome failed = Outcome.failed("connector error: " + e);
            if (j.request.startsVm() && j.claimed.compareAndSet(false, true)) {
                // Failed in doubt: the VM may have started on the target all the same.
                settleAndAnswer(j, failed);
                return;
            }
            outcome = failed;
        }
        j.callEnded.countDown();
        if (j.claimed.compareAndSet(false, true)) {
            answers.answer(j, outcome);
        } else if (!j.done.get() || j.request.startsVm()) {
            LOG.info(
                    "command={} event=late-finish status={} detail=\"{}\" after its timeout",
                    j.id(),
                    outcome.status(),
                    outcome.detail() == null ? "" : outcome.detail());
        }
    }

    private Outcome callWithRetries(CommandJob j, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        Duration backoff = options.retryBackoff();
        while (true) {
            Duration left = Duration.ofNanos(deadline - System.nanoTime());
            try {
                Outcome outcome =
                        j.inDoubt
                                ? connector.runInDoubt(j.request, left)
                                : connector.run(j.request, left);
                return outcome != null ? outcome : Outcome.failed("connector gave no outcome");
            } catch (TransientException e) {
                // Retry only if the wait and a call of about the same length still fit.
                Duration stillLeft = Duration.ofNanos(deadline - System.nanoTime());
                if (stillLeft.compareTo(backoff.multipliedBy(2)) <= 0) {
                    return Outcome.failed(
                            "transient error, no time left to retry: " + e.getMessage());
                }
                counters.retried();
                LOG.info(
                        "command={} event=retry backoffMillis={} error=\"{}\"",
                        j.id(),
                        backoff.toMillis(),
                        e.getMessage());
                Thread.sleep(backoff.toMillis());
                backoff = min(backoff.multipliedBy(2), options.maxRetryBackoff());
            }
        }
    }

    private void onTimeout(CommandJob j, Duration timeout) {
        if (!j.claimed.compareAndSet(false, true)) {
            return;
        }
        Outcome timedOut = Outcome.timedOut("no answer within " + timeout);
        if (!j.request.startsVm()) {
            answers.answer(j, timedOut);
            j.future.cancel(true);
            return;
        }
        // A restart or migration may still finish (a libvirt call is not interruptible): wait for
        // it and settle its target before answering, on a worker (the watchdog serves every job).
        j.future.cancel(true);
        workers.execute(() -> settleAndAnswer(j, timedOut));
    }

    /**
     * Waits (within {@link ConnectorOptions#settleTimeout()}) for a restart or migration that timed
     * out or failed in doubt to end, has the connector settle its target, and answers: the first
     * outcome with what the settle found, or in doubt ({@code FAILED}, "in doubt: ...") when the
     * call did not end or the target could not be settled.
     */
    private void settleAndAnswer(CommandJob j, Outcome first) {
        String target = j.request.limitKey();
        long deadline = System.nanoTime() + options.settleTimeout().toNanos();
        Outcome answer;
        try {
            if (!j.callEnded.await(options.settleTimeout().toNanos(), TimeUnit.NANOSECONDS)) {
                answer =
                        inDoubt(
                                first,
                                "its call to "
                                        + target
                                        + " had not ended "
                                        + options.settleTimeout()
                                        + " later; what runs there is unknown");
            } else {
                answer = settle(j, first, Duration.ofNanos(deadline - System.nanoTime()));
            }
        } catch (InterruptedException e) {
            // Closing: left unanswered, in doubt at the next start (exactly-once mode).
            LOG.warn("command={} event=settle-interrupted closing before it was settled", j.id());
            Thread.currentThread().interrupt();
            return;
        }
        if (answer.status() == Outcome.Status.FAILED && answer.detail().startsWith(IN_DOUBT)) {
            counters.unsettled();
            LOG.warn("command={} event=unsettled detail=\"{}\"", j.id(), answer.detail());
        } else {
            counters.settled();
            LOG.info("command={} event=settled detail=\"{}\"", j.id(), answer.detail());
        }
        answers.answer(j, answer);
    }

    private Outcome settle(CommandJob j, Outcome first, Duration left) throws InterruptedException {
        Outcome settled;
        try {
            settled = connector.settle(j.request, positive(left));
        } catch (RuntimeException e) {
            settled = Outcome.failed(e.getMessage() == null ? e.toString() : e.getMessage());
        }
        if (settled == null || !settled.isSuccess()) {
            String why = settled == null ? "the connector gave no answer" : settled.detail();
            return inDoubt(first, why);
        }
        String found = settled.detail() == null ? "settled" : settled.detail();
        return new Outcome(first.status(), join(first.detail(), found));
    }

    /** The encoding of "in doubt": {@code FAILED}, with a detail starting {@code in doubt:}. */
    static final String IN_DOUBT = "in doubt: ";

    private static Outcome inDoubt(Outcome first, String why) {
        String w = why.startsWith(IN_DOUBT) ? why.substring(IN_DOUBT.length()) : why;
        return Outcome.failed(IN_DOUBT + join(first.detail(), w));
    }

    private static String join(String a, String b) {
        return a == null || a.isEmpty() ? b : a + "; " + b;
    }

    private static Duration positive(Duration d) {
        return d.isNegative() || d.isZero() ? Duration.ofMillis(1) : d;
    }

    private static Duration min(Duration a, Duration b) {
        return a.compareTo(b) <= 0 ? a : b;
    }

    private static ThreadFactory threads(String prefix) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, prefix + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }
}
