package io.vmres.engine.incident;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of an incident and the moves allowed between them, in one table: an incident opens, is
 * recovering from its first command, ends RECOVERED or PARTIAL when its work is done, and is CLOSED
 * when its hosts are back (or for good, by rule); nothing leaves CLOSED.
 */
public enum IncidentState {
    OPEN,
    RECOVERING,
    RECOVERED,
    PARTIAL,
    CLOSED;

    /** The states this one may move to. */
    public Set<IncidentState> next() {
        switch (this) {
            case OPEN:
                return EnumSet.of(RECOVERING, RECOVERED, PARTIAL, CLOSED);
            case RECOVERING:
                return EnumSet.of(RECOVERED, PARTIAL, CLOSED);
            case RECOVERED:
            case PARTIAL:
                return EnumSet.of(CLOSED);
            default:
                return EnumSet.noneOf(IncidentState.class);
        }
    }

    /** The incident takes no work on any more: it reached RECOVERED, PARTIAL or CLOSED. */
    public boolean ended() {
        return this == RECOVERED || this == PARTIAL || this == CLOSED;
    }

    /**
     * The move to {@code to}.
     *
     * @throws IllegalStateException when the table does not allow it
     */
    public IncidentState to(IncidentState to) {
        if (!next().contains(to)) {
            throw new IllegalStateException("an incident cannot move from " + this + " to " + to);
        }
        return to;
    }
}
