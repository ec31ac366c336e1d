package io.vmres.connector.runtime;

import io.vmres.schema.CommandResult;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The last answers of the service by command id, so that a redelivered command is answered without
 * a new call; the oldest are forgotten beyond a bound. Not thread-safe: the dispatcher's lock
 * guards it.
 */
final class RecentResults {
    private final Map<String, Answer> byId;

    RecentResults(int remembered) {
        this.byId =
                new LinkedHashMap<>() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, Answer> eldest) {
                        return size() > remembered;
                    }
                };
    }

    /** An answer and what its command asked for. */
    private record Answer(CommandResult result, String fingerprint) {}

    CommandResult get(String commandId) {
        Answer a = byId.get(commandId);
        return a == null ? null : a.result();
    }

    /** What the command answered under this id asked for, if it is remembered. */
    String fingerprint(String commandId) {
        Answer a = byId.get(commandId);
        return a == null ? null : a.fingerprint();
    }

    void put(String commandId, CommandResult result, String fingerprint) {
        byId.put(commandId, new Answer(result, fingerprint));
    }
}
