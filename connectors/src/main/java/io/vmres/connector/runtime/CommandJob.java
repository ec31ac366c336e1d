package io.vmres.connector.runtime;

import io.vmres.schema.Command;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One command id on its way to an answer: every delivery of that id read meanwhile waits for the
 * same one. The mutable fields are guarded by the {@link CommandDispatcher}'s lock.
 */
final class CommandJob {
    final Command command;

    /** The call to make; null for a command that is invalid and answered without one. */
    final Request request;

    /** A command its predecessor started without answering: it goes through runInDoubt. */
    final boolean inDoubt;

    final List<Delivery> deliveries = new ArrayList<>();

    /** Set by the first answer (the call or the watchdog): there is only one. */
    final AtomicBoolean done = new AtomicBoolean();

    /**
     * Set by whichever of the call and the watchdog decides the answer first; the other one only
     * ends (a call past its timeout) or does nothing (a watchdog after the call's answer).
     */
    final AtomicBoolean claimed = new AtomicBoolean();

    /** Counted down when the call has ended, however: what a settle waits for. */
    final CountDownLatch callEnded = new CountDownLatch(1);

    /** What the command asks for (action, host, target, VM), to refuse another with its id. */
    final String fingerprint;

    boolean holdsSlot;
    long startedNanos;
    Future<?> future;
    ScheduledFuture<?> timer;

    CommandJob(Command command, Request request, boolean inDoubt, Delivery first) {
        this(command, request, inDoubt, first, Request.fingerprint(command));
    }

    CommandJob(
            Command command, Request request, boolean inDoubt, Delivery first, String fingerprint) {
        this.command = command;
        this.request = request;
        this.inDoubt = inDoubt;
        this.fingerprint = fingerprint;
        deliveries.add(first);
    }

    String id() {
        return command.getCommandId();
    }
}
