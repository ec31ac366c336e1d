package io.vmres.connector.runtime;

import java.time.Duration;

/**
 * The hypervisor side of a connector (libvirt, a BMC, the simulated fleet): each call runs one
 * command and says how it went. Calls may take seconds and run on several threads at once; each is
 * given the time it has left, after which the {@link ConnectorService} answers {@code TIMED_OUT}
 * and interrupts it. Implementations should be idempotent by {@link Request#commandId()}: the
 * service remembers what it answered, but only while it runs.
 */
public interface HypervisorConnector {

    /** Powers a host off or cuts it off, so that restarting its VMs elsewhere is safe. */
    Outcome fence(Request.Fence request, Duration timeout) throws InterruptedException;

    /** Maps the given disks on the target host. */
    Outcome mapDisks(Request.MapDisks request, Duration timeout) throws InterruptedException;

    /** Starts a VM of a host known down on the target host. */
    Outcome restart(Request.Restart request, Duration timeout) throws InterruptedException;

    /** Live-migrates a running VM to the target host. */
    Outcome migrate(Request.Migrate request, Duration timeout) throws InterruptedException;

    /**
     * Whether this connector runs the request: several connectors (a libvirt pool, the IPMI fencer
     * of the same hosts, another pool) read the same commands, each in its own consumer group, and
     * each answers only its own. A command no connector handles gets no answer, and the job times
     * it out. The default handles everything.
     */
    default boolean handles(Request request) {
        return true;
    }

    /**
     * Answers a command whose call started before a crash and whose outcome is unknown
     * (exactly-once mode: the durable ledger says it started, not how it ended). An implementation
     * checks the hypervisor's state (is the VM already running on the target? is the host off?) and
     * answers from it, or runs the call again where that is safe. The default never runs it twice:
     * it answers {@code FAILED}, and the job decides what to do next.
     */
    default Outcome runInDoubt(Request request, Duration timeout) throws InterruptedException {
        return Outcome.failed(
                "in doubt: its call started before a connector restart and its outcome is unknown;"
                        + " not run again");
    }

    /**
     * Settles a restart or live migration whose call timed out or failed in doubt, once that call
     * has ended (or could not be waited for): makes sure no copy of the VM runs on the request's
     * target because of it, stopping and undefining one found there, so that the job may retry
     * elsewhere without ever running the VM twice. Answers {@code SUCCEEDED} with what it found
     * ("not running on h-12", "started late on h-12; stopped there"), or {@code FAILED} when it
     * cannot tell or cannot stop the copy (the target does not answer): the service then answers
     * the command in doubt ({@code FAILED}, detail starting {@code in doubt:}), which the job must
     * never retry elsewhere. The default cannot check anything and says so.
     */
    default Outcome settle(Request request, Duration timeout) throws InterruptedException {
        return Outcome.failed("this connector cannot check what runs on " + request.limitKey());
    }

    /** Runs any request through the method of its kind. */
    default Outcome run(Request request, Duration timeout) throws InterruptedException {
        if (request instanceof Request.Fence f) {
            return fence(f, timeout);
        } else if (request instanceof Request.MapDisks m) {
            return mapDisks(m, timeout);
        } else if (request instanceof Request.Restart r) {
            return restart(r, timeout);
        } else if (request instanceof Request.Migrate m) {
            return migrate(m, timeout);
        }
        throw new IllegalArgumentException("unknown request " + request);
    }
}
