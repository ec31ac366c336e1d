package io.vmres.connector.runtime;

import io.vmres.schema.Command;
import java.util.List;
import java.util.Objects;

/**
 * One call a connector makes to its hypervisor, built from a {@link Command}; the command id
 * travels with it so that an implementation can be idempotent and keep a ledger.
 */
public sealed interface Request
        permits Request.Fence, Request.MapDisks, Request.Restart, Request.Migrate {

    /** The idempotency key: the id of the command this call answers. */
    String commandId();

    /**
     * The host whose in-flight limit this call counts against: the target, or the host itself for a
     * fence (commands are keyed the same way on Kafka).
     */
    String limitKey();

    /** Power off (or cut off) a host, so that its VMs may be restarted elsewhere. */
    record Fence(String commandId, String host) implements Request {
        public Fence {
            Objects.requireNonNull(commandId, "commandId");
            Objects.requireNonNull(host, "host");
        }

        @Override
        public String limitKey() {
            return host;
        }
    }

    /** Map the disks of a failed host's VMs on a target host, before the VMs restart there. */
    record MapDisks(
            String commandId, String host, String target, List<String> vms, List<String> disks)
            implements Request {
        public MapDisks {
            Objects.requireNonNull(commandId, "commandId");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(target, "target");
            vms = List.copyOf(vms);
            disks = List.copyOf(disks);
        }

        @Override
        public String limitKey() {
            return target;
        }
    }

    /** Restart a VM of a host known down on a target host. */
    record Restart(String commandId, String vm, String host, String target) implements Request {
        public Restart {
            Objects.requireNonNull(commandId, "commandId");
            Objects.requireNonNull(vm, "vm");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(target, "target");
        }

        @Override
        public String limitKey() {
            return target;
        }
    }

    /** Live-migrate a running VM from its host to a target host. */
    record Migrate(String commandId, String vm, String host, String target) implements Request {
        public Migrate {
            Objects.requireNonNull(commandId, "commandId");
            Objects.requireNonNull(vm, "vm");
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(target, "target");
        }

        @Override
        public String limitKey() {
            return target;
        }
    }

    /**
     * Whether a call of this request that timed out or failed in doubt must be settled ({@link
     * HypervisorConnector#settle}) before it is answered: a restart or migration that ends late
     * could leave the VM running beside the job's retry on another target.
     */
    default boolean startsVm() {
        return this instanceof Restart || this instanceof Migrate;
    }

    /**
     * What a command asks for, to tell two commands with the same id apart: action, host, target
     * and VM.
     */
    static String fingerprint(Command command) {
        return command.getAction()
                + " host="
                + command.getHost()
                + " target="
                + command.getTarget()
                + " vm="
                + command.getVm();
    }

    /**
     * The call a command asks for.
     *
     * @throws IllegalArgumentException naming what is missing, when the command lacks a field its
     *     action needs
     */
    static Request of(Command command) {
        String id = command.getCommandId();
        String host = command.getHost();
        String target = command.getTarget();
        String vm = command.getVm();
        switch (command.getAction()) {
            case FENCE_HOST:
                return new Fence(id, host);
            case MAP_DISKS:
                require(target != null, "MAP_DISKS needs a target");
                return new MapDisks(
                        id,
                        host,
                        target,
                        command.getVms() == null ? List.of() : command.getVms(),
                        command.getDisks() == null ? List.of() : command.getDisks());
            case RESTART_VM:
                require(target != null && vm != null, "RESTART_VM needs a vm and a target");
                return new Restart(id, vm, host, target);
            case LIVE_MIGRATE_VM:
                require(target != null && vm != null, "LIVE_MIGRATE_VM needs a vm and a target");
                return new Migrate(id, vm, host, target);
            default:
                throw new IllegalArgumentException("unknown action " + command.getAction());
        }
    }

    private static void require(boolean ok, String reason) {
        if (!ok) {
            throw new IllegalArgumentException(reason);
        }
    }
}
