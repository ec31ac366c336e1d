package io.vmres.deploy.runtime;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a command started (a broker, a MiniCluster, a connector), closed in reverse order when the
 * command returns or when the JVM shuts down on Ctrl-C, so that nothing is left running.
 *
 * <pre>{@code
 * EmbeddedKafka kafka = lifecycle.start(EmbeddedKafka::start);
 * lifecycle.awaitShutdown(); // until Ctrl-C
 * }</pre>
 */
public final class Lifecycle implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

    /** How long a shutdown waits for starts under way (a broker, a MiniCluster) to finish. */
    static final Duration START_WAIT = Duration.ofSeconds(60);

    private final Deque<AutoCloseable> resources = new ArrayDeque<>();
    private final CountDownLatch closed = new CountDownLatch(1);
    private boolean draining; // guarded by resources: set once close starts closing resources
    // Starts hold the read lock, close takes the write lock: Ctrl-C during a start waits for
    // it, then stops what it started, instead of the JVM exiting under a half-started broker.
    private final ReentrantReadWriteLock starting = new ReentrantReadWriteLock();

    /**
     * Starts a resource and registers it; a shutdown that begins meanwhile waits for the start and
     * then closes the resource.
     *
     * @throws IllegalStateException if shutdown has begun (nothing is started then)
     */
    public <T extends AutoCloseable> T start(Callable<T> starter) throws Exception {
        starting.readLock().lock();
        try {
            if (isShuttingDown()) {
                throw new IllegalStateException("shutting down: not starting anything more");
            }
            return register(starter.call());
        } finally {
            starting.readLock().unlock();
        }
    }

    /**
     * Closes the resource with this lifecycle. A resource registered once the resources are being
     * closed is closed at once, so a start racing Ctrl-C leaves nothing behind.
     *
     * @throws IllegalStateException if it came too late (after closing the resource)
     */
    public <T extends AutoCloseable> T register(T resource) {
        synchronized (resources) {
            if (!draining) {
                resources.push(resource);
                return resource;
            }
        }
        closeQuietly(resource);
        throw new IllegalStateException("shutting down: " + resource + " was closed at once");
    }

    /** Blocks until {@link #close()} begins, for commands that run until Ctrl-C. */
    public void awaitShutdown() throws InterruptedException {
        closed.await();
    }

    /** Blocks until {@link #close()} begins or the time is up; true if it began. */
    public boolean awaitShutdown(Duration timeout) throws InterruptedException {
        return closed.await(timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** True once {@link #close()} has begun. */
    public boolean isShuttingDown() {
        return closed.getCount() == 0;
    }

    /**
     * Closes every registered resource, newest first, after waiting (at most a minute) for starts
     * under way; a failure is logged and the rest go on.
     */
    @Override
    public void close() {
        closed.countDown();
        boolean locked = false;
        try {
            locked = starting.writeLock().tryLock(START_WAIT.toNanos(), TimeUnit.NANOSECONDS);
            if (!locked) {
                LOG.warn(
                        "a start still under way after {} s; closing the rest",
                        START_WAIT.toSeconds());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            LOG.warn("interrupted while waiting for a start under way; closing the rest", e);
        }
        try {
            closeAll();
        } finally {
            if (locked) {
                starting.writeLock().unlock();
            }
        }
    }

    private void closeAll() {
        synchronized (resources) {
            draining = true;
        }
        while (true) {
            AutoCloseable next;
            synchronized (resources) {
                next = resources.poll();
            }
            if (next == null) {
                return;
            }
            closeQuietly(next);
        }
    }

    private static void closeQuietly(AutoCloseable resource) {
        try {
            resource.close();
        } catch (Exception e) {
            // On the way out there is no caller left to rethrow to: tell, and close the rest.
            LOG.warn("could not close {}", resource, e);
        }
    }
}
