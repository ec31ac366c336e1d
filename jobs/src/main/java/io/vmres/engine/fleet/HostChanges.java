package io.vmres.engine.fleet;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/**
 * The hosts of a fleet view whose state may have changed since the planning last took them: every
 * host of the fleet marks itself here when its record, registration, status, draining, maintenance,
 * channels used, VMs or reservations change. The planning takes these hosts (and those whose
 * liveness deadline passed) instead of looking at every host.
 *
 * <p>Not checkpointed: a fleet view read from a checkpoint marks every host, so the first look
 * after a restore takes them all.
 */
public final class HostChanges implements Serializable {
    private static final long serialVersionUID = 1L;

    private final TreeSet<String> hosts = new TreeSet<>();

    /** The host's state may have changed. */
    public void mark(String host) {
        hosts.add(host);
    }

    /** Whether no host was marked since the last {@link #drain()}. */
    public boolean isEmpty() {
        return hosts.isEmpty();
    }

    /** The hosts marked since the last call, in host order; none are marked after it. */
    public List<String> drain() {
        List<String> list = new ArrayList<>(hosts);
        hosts.clear();
        return list;
    }

    /** Marks every host {@code other} holds marked. */
    void markAll(HostChanges other) {
        hosts.addAll(other.hosts);
    }
}
