package io.vmres.deploy.runtime;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class LifecycleTest {
    private final List<String> closed = new ArrayList<>();

    private AutoCloseable named(String name) {
        return () -> closed.add(name);
    }

    @Test
    void closesNewestFirstAndOnlyOnce() {
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.register(named("broker"));
        lifecycle.register(named("job"));
        lifecycle.close();
        lifecycle.close();
        assertThat(closed).containsExactly("job", "broker");
    }

    @Test
    void aFailingCloseDoesNotStopTheOthers() {
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.register(named("broker"));
        lifecycle.register(
                () -> {
                    throw new IllegalStateException("stuck");
                });
        lifecycle.close();
        assertThat(closed).containsExactly("broker");
    }

    @Test
    void whatIsRegisteredAfterShutdownIsClosedAtOnce() {
        Lifecycle lifecycle = new Lifecycle();
        lifecycle.close();
        assertThatThrownBy(() -> lifecycle.register(named("late")))
                .isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("shutting down");
        assertThat(closed).containsExactly("late");
    }

    @Test
    void aShutdownDuringAStartWaitsForItAndClosesWhatItStarted() throws Exception {
        Lifecycle lifecycle = new Lifecycle();
        CountDownLatch inStart = new CountDownLatch(1);
        CountDownLatch finishStart = new CountDownLatch(1);
        CompletableFuture<AutoCloseable> start =
                CompletableFuture.supplyAsync(
                        () -> {
                            try {
                                return lifecycle.start(
                                        () -> {
                                            inStart.countDown();
                                            finishStart.await();
                                            return named("broker");
                                        });
                            } catch (Exception e) {
                                throw new IllegalStateException(e);
                            }
                        });
        assertThat(inStart.await(10, TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> shutdown = CompletableFuture.runAsync(lifecycle::close);
        // The shutdown has begun but must wait for the start under way.
        assertThat(lifecycle.awaitShutdown(Duration.ofSeconds(10))).isTrue();
        assertThat(shutdown).isNotDone();
        finishStart.countDown();
        shutdown.get(10, TimeUnit.SECONDS);
        assertThat(start.get(10, TimeUnit.SECONDS)).isNotNull();
        assertThat(closed).containsExactly("broker");
        assertThatThrownBy(() -> lifecycle.start(() -> named("late")))
                .isInstanceOf(IllegalStateException.class);
        assertThat(closed).containsExactly("broker");
    }

    @Test
    void awaitShutdownReturnsWhenCloseBegins() throws Exception {
        Lifecycle lifecycle = new Lifecycle();
        assertThat(lifecycle.awaitShutdown(Duration.ofMillis(10))).isFalse();
        CompletableFuture<Void> waiter =
                CompletableFuture.runAsync(
                        () -> {
                            try {
                                lifecycle.awaitShutdown();
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                                throw new IllegalStateException(e);
                            }
                        });
        assertThat(waiter).isNotDone();
        lifecycle.close();
        waiter.get(10, TimeUnit.SECONDS);
        assertThat(lifecycle.isShuttingDown()).isTrue();
    }
}
