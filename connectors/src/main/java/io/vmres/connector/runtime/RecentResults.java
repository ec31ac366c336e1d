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
    private final Map<String, CommandResult> byId;

    RecentResults(int remembered) {
        this.byId =
                new LinkedHashMap<>() {
                    private static final long serialVersionUID = 1L;

                    @Override
                    protected boolean removeEldestEntry(Map.Entry<String, CommandResult> eldest) {
                        return size() > remembered;
                    }
                };
    }

    CommandResult get(String commandId) {
        return byId.get(commandId);
    }

    void put(String commandId, CommandResult result) {
        byId.put(commandId, result);
    }
}
