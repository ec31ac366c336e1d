package io.vmres.engine.execute;

import io.vmres.engine.state.StateInput;
import io.vmres.engine.state.StateOutput;
import java.io.IOException;
import java.io.Serializable;
import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;
import java.util.TreeSet;

/**
 * The recovery (restart) or drain (live migration) of one VM owed by one incident. Its phase moves
 * only as {@link Phase#next()} allows.
 */
public final class VmJob implements Serializable {
    private static final long serialVersionUID = 2L;

    /** Where the job stands, and where it may go from there. */
    public enum Phase {
        TO_PLACE,
        PLACED,
        MAPPING,
        READY,
        IN_FLIGHT,
        DONE,
        GIVEN_UP,
        DROPPED,
        /**
         * Its restart or migration may have run after all (a connector could not settle a call that
         * timed out, or the job's own timeout came first): it is never started elsewhere; it waits
         * until the inventory says where the VM is, or it stops being owed.
         */
        IN_DOUBT;

        /** The phases this one may move to; none from DONE, GIVEN_UP and DROPPED. */
        public Set<Phase> next() {
            switch (this) {
                case TO_PLACE:
                    return EnumSet.of(PLACED, DROPPED, GIVEN_UP);
                case PLACED:
                    return EnumSet.of(READY, MAPPING, IN_FLIGHT, TO_PLACE, DROPPED, GIVEN_UP);
                case MAPPING:
                    return EnumSet.of(READY, TO_PLACE, DROPPED, GIVEN_UP);
                case READY:
                    return EnumSet.of(IN_FLIGHT, TO_PLACE, DROPPED, GIVEN_UP);
                case IN_FLIGHT:
                    return EnumSet.of(DONE, TO_PLACE, DROPPED, GIVEN_UP, IN_DOUBT);
                case IN_DOUBT:
                    return EnumSet.of(DROPPED);
                default:
                    return EnumSet.noneOf(Phase.class);
            }
        }
    }

    public final String incidentId;
    public final String vm;
    public final String source;
    public final boolean restart;
    private Phase phase = Phase.TO_PLACE;
    private String target;

    /** Restart or migration commands issued so far. */
    private int attempts;

    /** MAP_DISKS commands holding its disks that failed. */
    private int mapFailures;

    private final TreeSet<String> failedTargets = new TreeSet<>();

    /** Targets its disks were mapped to successfully. */
    private final TreeSet<String> mappedOn = new TreeSet<>();

    /** A failed answer is not retried (its maintenance ended meanwhile). */
    private boolean noRetry;

    /** Ready but waiting for a dependency to run. */
    private boolean waitingDeps;

    public VmJob(String incidentId, String vm, String source, boolean restart) {
        this.incidentId = incidentId;
        this.vm = vm;
        this.source = source;
        this.restart = restart;
    }

    /** A new job of the same incident and VM goes on from a dropped one: attempts count on. */
    public void continueFrom(VmJob dropped) {
        attempts = dropped.attempts;
        failedTargets.addAll(dropped.failedTargets);
    }

    public boolean active() {
        return phase != Phase.DONE && phase != Phase.GIVEN_UP && phase != Phase.DROPPED;
    }

    public Phase phase() {
        return phase;
    }

    /**
     * Moves to {@code to} (staying where it is is allowed).
     *
     * @throws IllegalStateException when {@link Phase#next()} does not allow it
     */
    public void moveTo(Phase to) {
        if (to != phase && !phase.next().contains(to)) {
            throw new IllegalStateException(
                    "job of " + vm + " in " + incidentId + ": " + phase + " -> " + to);
        }
        phase = to;
    }

    /** The target it is placed on, or null before its first placement. */
    public String target() {
        return target;
    }

    /** Placed on {@code target}. */
    public void placeOn(String target) {
        moveTo(Phase.PLACED);
        this.target = target;
    }

    /** Its restart or migration is issued: one more attempt. */
    public int issue() {
        moveTo(Phase.IN_FLIGHT);
        return ++attempts;
    }

    public int attempts() {
        return attempts;
    }

    public int mapFailures() {
        return mapFailures;
    }

    /** A MAP_DISKS holding its disks failed. */
    public void mapFailed() {
        mapFailures++;
    }

    /** Targets on which a command of it failed: never chosen again. */
    public Set<String> failedTargets() {
        return Collections.unmodifiableSet(failedTargets);
    }

    public void failedOn(String target) {
        failedTargets.add(target);
    }

    /** Its disks are mapped on {@code target}. */
    public boolean mappedOn(String target) {
        return mappedOn.contains(target);
    }

    public void mapped(String target) {
        mappedOn.add(target);
    }

    public boolean noRetry() {
        return noRetry;
    }

    /** A failed answer is not retried (its maintenance ended meanwhile). */
    public void noMoreRetries() {
        noRetry = true;
    }

    public boolean waitingDeps() {
        return waitingDeps;
    }

    public void waitingDeps(boolean waiting) {
        this.waitingDeps = waiting;
    }

    /** Writes the job (see {@code io.vmres.engine.state.EngineState}). */
    public void write(StateOutput out) throws IOException {
        out.writeString(incidentId);
        out.writeString(vm);
        out.writeString(source);
        out.writeVarInt((restart ? 1 : 0) | (noRetry ? 2 : 0) | (waitingDeps ? 4 : 0));
        out.writeEnum(phase);
        out.writeString(target);
        out.writeInt(attempts);
        out.writeInt(mapFailures);
        out.writeStrings(failedTargets);
        out.writeStrings(mappedOn);
    }

    public static VmJob read(StateInput in) throws IOException {
        String incidentId = in.readString();
        String vm = in.readString();
        String source = in.readString();
        int flags = in.readVarInt();
        VmJob j = new VmJob(incidentId, vm, source, (flags & 1) != 0);
        j.noRetry = (flags & 2) != 0;
        j.waitingDeps = (flags & 4) != 0;
        j.phase = in.readEnum(Phase.class);
        j.target = in.readString();
        j.attempts = in.readInt();
        j.mapFailures = in.readInt();
        in.readStrings(j.failedTargets);
        in.readStrings(j.mappedOn);
        return j;
    }
}
