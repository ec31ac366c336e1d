package io.vmres.connector.runtime;

/**
 * Thrown by a {@link HypervisorConnector} call that failed before it changed anything, for a reason
 * that may pass (a connection refused, a busy API): the {@link ConnectorService} calls again after
 * a backoff, as long as the command has time left. Any other exception answers the command {@code
 * FAILED}.
 */
public class TransientException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public TransientException(String message) {
        super(message);
    }

    public TransientException(String message, Throwable cause) {
        super(message, cause);
    }
}
