package io.vmres.engine.out;

/** Where a cluster engine's decisions go, in the order they are taken. */
public interface Output {
    void command(CommandOut command);

    void result(ResultOut result);

    void incident(IncidentOut incident);

    void alert(AlertOut alert);

    /** The admission view changed (not a replay output: replay files ignore it). */
    default void admission(AdmissionOut admission) {}

    /**
     * The fleet view of a host changed (state, VM count or capacity use): at most once per host per
     * instant, at the end of the instant. Sent only when {@link #wantsHostStates()}.
     */
    default void hostState(HostStateOut state) {}

    /** Whether the engine is to track and send {@link #hostState}; replay files do not. */
    default boolean wantsHostStates() {
        return false;
    }
}
