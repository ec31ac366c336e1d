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
            if (!j.done.get()) {
                // Interrupted by close, not by our timeout: leave it unanswered, to be read again.
                LOG.warn("call for command {} interrupted before it finished", j.id());
            }
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            LOG.warn("connector failed on command {}", j.id(), e);
            outcome = Outcome.failed("connector error: " + e);
        }
        answers.answer(j, outcome);
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
        if (answers.answer(j, Outcome.timedOut("no answer within " + timeout))) {
            j.future.cancel(true);
        }
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
