package io.vmres.deploy.cli;

/** A subcommand whose work is not part of this build yet; the command line exits with 1. */
public final class NotWiredException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public NotWiredException(String command) {
        super("'vmres " + command + "' is not available in this build yet");
    }
}
