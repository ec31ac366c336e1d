package io.vmres.deploy.runtime;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.flink.core.execution.JobClient;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stops a job and waits until it has ended. A job's Kafka writers abort their open transactions as
 * they stop, which needs the brokers: one still stopping when its broker goes away waits {@code
 * max.block.ms} (a minute) for the abort, then fails its task manager, beside whatever runs next in
 * the process.
 */
public final class JobStop {
    private static final Logger LOG = LoggerFactory.getLogger(JobStop.class);

    /** How long a job may take to end once cancelled. */
    public static final Duration AT_MOST = Duration.ofSeconds(30);

    private JobStop() {}

    /**
     * Cancels {@code job} and waits, {@link #AT_MOST}, until it has ended; a job that already ended
     * has nothing to cancel.
     */
    public static void cancel(JobClient job) {
        try {
            job.cancel().get(AT_MOST.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | TimeoutException | RuntimeException e) {
            LOG.debug("cancel of {}: {}", job.getJobID(), e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        try {
            job.getJobExecutionResult().get(AT_MOST.toMillis(), TimeUnit.MILLISECONDS);
        } catch (ExecutionException | RuntimeException e) {
            // ended: cancelled, or failed before
        } catch (TimeoutException e) {
            LOG.warn("job {} has not ended {} after it was cancelled", job.getJobID(), AT_MOST);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
