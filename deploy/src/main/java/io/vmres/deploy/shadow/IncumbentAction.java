package io.vmres.deploy.shadow;

/**
 * One thing the incumbent HA manager did, in vmres's own words (one line of an incumbent file,
 * whatever format it came from).
 *
 * @param ts when it happened (epoch ms)
 * @param kind what it did
 * @param host the host concerned (the failed host for a restart)
 * @param vm the VM, for restarts and failed restarts
 * @param target where the VM was restarted, null when the source does not tell
 * @param detail the incumbent's own words, kept for the report
 */
public record IncumbentAction(
        long ts, Kind kind, String host, String vm, String target, String detail) {

    /** What an incumbent does that vmres compares against. */
    public enum Kind {
        /** It declared a host failed. */
        HOST_DOWN,
        /** It restarted a VM on another host (the target, when known). */
        VM_RESTARTED,
        /** It tried and failed to restart a VM, or declared it unprotected. */
        VM_NOT_RESTARTED,
        /** It moved a host's running VMs away (maintenance, evacuation). */
        HOST_EVACUATED,
        /** It declared a host back (a recovery of the host, or a false alarm ending). */
        HOST_UP
    }
}
