package io.vmres.deploy;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a command started (a broker, a MiniCluster, a connector), closed in reverse order when
 * the command returns or when the JVM shuts down on Ctrl-C, so that nothing is left running.
 *
 * <pre>{@code
 * EmbeddedKafka kafka = lifecycle.register(EmbeddedKafka.start());
 * lifecycle.awaitShutdown(); // until Ctrl-C
 * }</pre>
 */
public final class Lifecycle implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(Lifecycle.class);

  private final Deque<AutoCloseable> resources = new ArrayDeque<>();
  private final CountDownLatch closed = new CountDownLatch(1);

  /**
   * Closes the resource with this lifecycle. A resource registered after shutdown began is
   * closed at once, so a start racing Ctrl-C leaves nothing behind.
   *
   * @throws IllegalStateException if shutdown already began (after closing the resource)
   */
  public <T extends AutoCloseable> T register(T resource) {
    synchronized (resources) {
      if (closed.getCount() > 0) {
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

  /** Closes every registered resource, newest first; a failure is logged and the rest go on. */
  @Override
  public void close() {
    closed.countDown();
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
