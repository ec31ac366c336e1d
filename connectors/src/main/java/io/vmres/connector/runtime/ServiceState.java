package io.vmres.connector.runtime;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether a {@link ConnectorService} is stopping, why, and by when its calls in flight must end;
 * shared by its parts, which stop taking work once it is set.
 */
final class ServiceState {
    private static final Logger LOG = LoggerFactory.getLogger(ServiceState.class);

    private final Duration closeTimeout;
    private final Runnable wakePoll;
    private final AtomicBoolean stopping = new AtomicBoolean();
    private final AtomicReference<Throwable> failure = new AtomicReference<>();
    private volatile boolean closed;
    private volatile long closeDeadlineNanos = Long.MAX_VALUE;

    /**
     * @param closeTimeout how long the calls in flight have after a failure stops the service
     * @param wakePoll wakes the poll thread from its poll, so that it sees the service stopping
     */
    ServiceState(Duration closeTimeout, Runnable wakePoll) {
        this.closeTimeout = closeTimeout;
        this.wakePoll = wakePoll;
    }

    /** Close asked: stop reading; the calls in flight have until {@code timeout} from now. */
    void stop(Duration timeout) {
        closeDeadlineNanos = System.nanoTime() + timeout.toNanos();
        stopping.set(true);
    }

    /**
     * A write that failed after the producer's own retries cannot be answered later: stop, and
     * leave its offset uncommitted so that the command is read again after a restart.
     */
    void fail(Throwable e) {
        if (failure.compareAndSet(null, e)) {
            LOG.error("connector service stops on error", e);
        } else {
            LOG.error("connector service error after stop", e);
        }
        if (stopping.compareAndSet(false, true)) {
            closeDeadlineNanos = System.nanoTime() + closeTimeout.toNanos();
            wakePoll.run();
        }
    }

    boolean stopping() {
        return stopping.get();
    }

    long closeDeadlineNanos() {
        return closeDeadlineNanos;
    }

    Optional<Throwable> failure() {
        return Optional.ofNullable(failure.get());
    }

    boolean failed() {
        return failure.get() != null;
    }

    /** Close is over: an answer that comes now is no longer written. */
    void markClosed() {
        closed = true;
    }

    boolean closed() {
        return closed;
    }
}
