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
