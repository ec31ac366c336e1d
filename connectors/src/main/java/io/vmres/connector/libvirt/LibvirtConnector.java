package io.vmres.connector.libvirt;

import io.vmres.connector.runtime.HypervisorConnector;
import io.vmres.connector.runtime.Outcome;
import io.vmres.connector.runtime.Request;
import io.vmres.connector.runtime.TransientException;
import io.vmres.connector.storage.DiskMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.libvirt.Connect;
import org.libvirt.Domain;
import org.libvirt.Error.ErrorNumber;
import org.libvirt.LibvirtException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link HypervisorConnector} for libvirt hosts (KVM through {@code qemu+ssh://HOST/system}, or
 * libvirt's {@code test://} driver), through the libvirt Java bindings. One connection per host,
 * opened on first use and kept.
 *
 * <ul>
 *   <li>restart: defines the VM on the target from its XML (a file {@code <xmlDir>/<vm>.xml}, or
 *       the failed host's own definition if its libvirt still answers) and starts it; never while
 *       the VM still runs on its host, and a VM already running on the target is a success.
 *   <li>migrate: libvirt's live migration, persistent on the target, undefined on the source.
 *   <li>fence: destroys the domain that <em>is</em> the host when the host is itself a VM (a {@code
 *       fenceDomain}); otherwise destroys every running domain of the host, and verifies.
 *   <li>map disks: through a {@link DiskMapper} ({@link LibvirtVolumes} by default).
 * </ul>
 *
 * <p>A host that cannot be reached throws {@link TransientException} (nothing was changed), which
 * the service retries within the command's time. libvirt calls are not interruptible: one that
 * hangs outlives its command's timeout (the service answers {@code TIMED_OUT} meanwhile).
 */
public final class LibvirtConnector implements HypervisorConnector, AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(LibvirtConnector.class);
    private static final long VIR_MIGRATE_LIVE = 1;
    private static final long VIR_MIGRATE_PERSIST_DEST = 8;
    private static final long VIR_MIGRATE_UNDEFINE_SOURCE = 16;

    /** Where a host is reached, and the domain that is the host when it is itself a VM. */
    public record HostConfig(String host, String uri, String fenceUri, String fenceDomain) {
        public HostConfig {
            Objects.requireNonNull(host, "host");
            Objects.requireNonNull(uri, "uri");
            if ((fenceUri == null) != (fenceDomain == null)) {
                throw new IllegalArgumentException(
                        "a fence domain needs both its URI and its name");
            }
        }
    }

    private final Map<String, HostConfig> hosts;
    private final Path xmlDir;
    private final DiskMapper storage;
    private final boolean fence;
    private final Map<String, Connect> connections = new HashMap<>(); // guarded by itself

    private LibvirtConnector(Builder b) {
        this.hosts = Map.copyOf(b.hosts);
        this.xmlDir = b.xmlDir;
        this.fence = b.fence;
        this.storage = b.storage != null ? b.storage : new LibvirtVolumes(this, b.storagePool);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** The hosts this connector reaches. */
    public Map<String, HostConfig> hosts() {
        return hosts;
    }

    /**
     * The open connection to a host (opened now if need be).
     *
     * @throws TransientException when libvirt on the host cannot be reached
     */
    public Connect connection(String host) {
        HostConfig h = hosts.get(host);
        if (h == null) {
            throw new IllegalArgumentException(
                    "host " + host + " is not in the libvirt configuration");
        }
        return open(h.uri());
    }

    Connect open(String uri) {
        synchronized (connections) {
            Connect c = connections.get(uri);
            try {
                if (c != null && c.isAlive()) {
                    return c;
                }
            } catch (LibvirtException e) {
                LOG.info("libvirt connection {} is dead, reopening: {}", uri, e.getMessage());
            }
            try {
                c = new Connect(uri);
            } catch (LibvirtException e) {
                throw new TransientException(
                        "cannot connect to libvirt at " + uri + ": " + msg(e), e);
            }
            connections.put(uri, c);
            return c;
        }
    }

    /**
     * A VM name this connector acts on: a letter or digit, then letters, digits, {@code . _ + -},
     * at most 256 characters in all. No path separator and no leading dot, so that {@code
     * <xmlDir>/<vm>.xml} never leaves its folder, whatever a command names.
     */
    public static boolean isVmName(String vm) {
        return vm != null && VM_NAME.matcher(vm).matches();
    }

    private static final java.util.regex.Pattern VM_NAME =
            java.util.regex.Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]{0,255}");

    private static Outcome notAName(String vm) {
        return Outcome.failed(
                "refused: not a VM name: "
                        + (vm == null
                                ? "null"
                                : vm.length() > 300 ? vm.substring(0, 300) + "..." : vm));
    }

    @Override
    public Outcome restart(Request.Restart r, Duration timeout) {
        if (!isVmName(r.vm())) {
            return notAName(r.vm());
        }
        Connect target = connection(r.target());
        try {
            Domain running = lookup(target, r.vm());
            if (running != null && running.isActive() == 1) {
                return Outcome.succeeded("already running on " + r.target());
            }
            Domain onSource = hosts.containsKey(r.host()) ? lookupQuietly(r.host(), r.vm()) : null;
            if (onSource != null && onSource.isActive() == 1) {
                // Never two copies of one VM: its host is not down after all.
                return Outcome.failed(
                        "vm " + r.vm() + " still runs on " + r.host() + ": not started");
            }
            Domain d = running;
            if (d == null) {
                String xml = definition(r.vm(), onSource);
                if (xml == null) {
                    return Outcome.failed(
                            "no definition of vm "
                                    + r.vm()
                                    + " (neither in the XML directory nor on its host)");
                }
                d = target.domainDefineXML(xml);
            }
            d.create();
            if (d.isActive() != 1) {
                return Outcome.failed("vm " + r.vm() + " did not start on " + r.target());
            }
            return Outcome.succeeded("defined and started on " + r.target());
        } catch (LibvirtException e) {
            return Outcome.failed("libvirt: " + msg(e));
        }
    }

    @Override
    public Outcome migrate(Request.Migrate r, Duration timeout) {
        if (!isVmName(r.vm())) {
            return notAName(r.vm());
        }
        Connect target = connection(r.target());
        Connect source = connection(r.host());
        try {
            Domain there = lookup(target, r.vm());
            if (there != null && there.isActive() == 1) {
                return Outcome.succeeded("already running on " + r.target());
            }
            Domain d = lookup(source, r.vm());
            if (d == null || d.isActive() != 1) {
                return Outcome.failed("vm " + r.vm() + " is not running on " + r.host());
            }
            long flags = VIR_MIGRATE_LIVE | VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE;
            Domain moved = d.migrate(target, flags, null, null, 0);
            if (moved == null || moved.isActive() != 1) {
                return Outcome.failed(
                        "vm " + r.vm() + " not running on " + r.target() + " after migration");
            }
            return Outcome.succeeded("migrated live to " + r.target());
        } catch (LibvirtException e) {
            return Outcome.failed("libvirt: " + msg(e));
        }
    }

    @Override
    public Outcome fence(Request.Fence r, Duration timeout) {
        HostConfig h = hosts.get(r.host());
        if (h == null) {
            return Outcome.failed("host " + r.host() + " is not in the libvirt configuration");
        }
        try {
            if (h.fenceDomain() != null) {
                Connect c = open(h.fenceUri());
                Domain d = lookup(c, h.fenceDomain());
                if (d == null) {
                    return Outcome.failed("no domain " + h.fenceDomain() + " at " + h.fenceUri());
                }
                if (d.isActive() == 1) {
                    d.destroy();
                }
                if (d.isActive() != 0) {
                    return Outcome.failed(
                            "domain " + h.fenceDomain() + " still active after destroy");
                }
                return Outcome.succeeded("host VM " + h.fenceDomain() + " destroyed, verified off");
            }
            Connect c = connection(r.host());
            int destroyed = 0;
            for (int id : c.listDomains()) {
                Domain d = c.domainLookupByID(id);
                if (d.isActive() == 1) {
                    d.destroy();
                    destroyed++;
                }
            }
            int left = c.listDomains().length;
            if (left != 0) {
                return Outcome.failed(
                        left + " domains still running on " + r.host() + " after destroy");
            }
            return Outcome.succeeded("destroyed " + destroyed + " domains, none left running");
        } catch (LibvirtException e) {
            return Outcome.failed("libvirt: " + msg(e));
        }
    }

    @Override
    public Outcome mapDisks(Request.MapDisks r, Duration timeout) throws InterruptedException {
        return storage.map(r.host(), r.target(), r.disks(), timeout);
    }

    /**
     * Commands whose target is one of its hosts; fences of its hosts unless fencing is left to
     * another connector ({@code libvirt.fence=false}, say to IPMI).
     */
    @Override
    public boolean handles(Request request) {
        if (request instanceof Request.Fence f) {
            return fence && hosts.containsKey(f.host());
        }
        return hosts.containsKey(request.limitKey());
    }

    /**
     * Settles a restart or migration that timed out or failed: a define and start cannot be
     * interrupted, so the VM may have come up on the target after all. A copy found there is
     * destroyed and undefined; a migration that completed late (the source no longer runs the VM)
     * moved its only copy, which is left running, and the answer says so (in doubt). A target whose
     * libvirt does not answer cannot be settled.
     */
    @Override
    public Outcome settle(Request request, Duration timeout) {
        String vm;
        if (request instanceof Request.Restart r) {
            vm = r.vm();
        } else if (request instanceof Request.Migrate m) {
            vm = m.vm();
        } else {
            return Outcome.succeeded("nothing to settle");
        }
        if (!isVmName(vm)) {
            return notAName(vm);
        }
        String t = request.limitKey();
        Connect target;
        try {
            target = connection(t);
        } catch (TransientException e) {
            return Outcome.failed("target " + t + " does not answer: " + e.getMessage());
        }
        try {
            Domain d = lookup(target, vm);
            if (d == null) {
                return Outcome.succeeded(vm + " not defined on " + t);
            }
            boolean active = d.isActive() == 1;
            if (active && request instanceof Request.Migrate m) {
                Domain src = hosts.containsKey(m.host()) ? lookupQuietly(m.host(), vm) : null;
                if (src == null || src.isActive() != 1) {
                    return Outcome.failed(
                            "migrated late to " + t + "; its only copy, left running there");
                }
            }
            if (active) {
                d.destroy();
            }
            if (d.isPersistent() == 1) {
                d.undefine();
            }
            return Outcome.succeeded(
                    active
                            ? "started late on " + t + "; stopped there"
                            : vm + " defined on " + t + " but not running; undefined there");
        } catch (LibvirtException e) {
            return Outcome.failed("libvirt on " + t + ": " + msg(e));
        }
    }

    /**
     * Every call checks the hypervisor's state first (a VM already running on the target, a host
     * already off, a disk already visible), so a command in doubt after a restart runs again
     * safely.
     */
    @Override
    public Outcome runInDoubt(Request request, Duration timeout) throws InterruptedException {
        return run(request, timeout);
    }

    private String definition(String vm, Domain onSource) throws LibvirtException {
        if (xmlDir != null && isVmName(vm)) {
            Path f = xmlDir.resolve(vm + ".xml");
            // the name allows no separator; the check stands should that rule ever loosen
            if (f.normalize().getParent().equals(xmlDir.normalize()) && Files.isRegularFile(f)) {
                try {
                    return Files.readString(f, StandardCharsets.UTF_8);
                } catch (IOException e) {
                    LOG.warn("cannot read {}: {}", f, e.getMessage());
                }
            }
        }
        return onSource == null ? null : onSource.getXMLDesc(0);
    }

    private Domain lookupQuietly(String host, String vm) {
        try {
            return lookup(connection(host), vm);
        } catch (TransientException | LibvirtException e) {
            return null; // a host down: the usual case of a restart
        }
    }

    static Domain lookup(Connect c, String name) throws LibvirtException {
        try {
            return c.domainLookupByName(name);
        } catch (LibvirtException e) {
            if (e.getError() != null && e.getError().getCode() == ErrorNumber.VIR_ERR_NO_DOMAIN) {
                return null;
            }
            throw e;
        }
    }

    static String msg(LibvirtException e) {
        return e.getError() != null ? e.getError().getMessage() : e.getMessage();
    }

    /** Closes every connection. */
    @Override
    public void close() {
        synchronized (connections) {
            for (Connect c : connections.values()) {
                try {
                    c.close();
                } catch (LibvirtException e) {
                    LOG.debug("closing a libvirt connection: {}", e.getMessage());
                }
            }
            connections.clear();
        }
    }

    /**
     * A connector from the {@code libvirt.} settings: {@code libvirt.host.<host>.uri} for each
     * host, optionally {@code libvirt.host.<host>.fence.uri} and {@code .fence.domain} (a host that
     * is itself a VM), {@code libvirt.xml.dir}, {@code libvirt.storage.pool}, {@code
     * libvirt.fence}.
     */
    public static LibvirtConnector fromSettings(io.vmres.connector.runtime.ConnectorSettings s) {
        Builder b = builder();
        for (String h : s.names("libvirt.host.", ".uri")) {
            if (h.endsWith(".fence")) {
                continue;
            }
            String p = "libvirt.host." + h;
            String fenceUri = s.get(p + ".fence.uri").orElse(null);
            String fenceDomain = s.get(p + ".fence.domain").orElse(null);
            b.host(h, s.require(p + ".uri"), fenceUri, fenceDomain);
        }
        s.get("libvirt.xml.dir").map(Path::of).ifPresent(b::xmlDir);
        s.get("libvirt.storage.pool").ifPresent(b::storagePool);
        b.fence(s.getBoolean("libvirt.fence", true));
        if (b.hosts.isEmpty()) {
            throw new IllegalArgumentException("no libvirt.host.<host>.uri in the configuration");
        }
        return b.build();
    }

    /** Builds a {@link LibvirtConnector}. */
    public static final class Builder {
        private final Map<String, HostConfig> hosts = new LinkedHashMap<>();
        private Path xmlDir;
        private DiskMapper storage;
        private String storagePool = "default";
        private boolean fence = true;

        private Builder() {}

        /** Whether this connector fences its hosts (default true), or leaves it to another. */
        public Builder fence(boolean fence) {
            this.fence = fence;
            return this;
        }

        /** A host and its libvirt URI. */
        public Builder host(String host, String uri) {
            hosts.put(host, new HostConfig(host, uri, null, null));
            return this;
        }

        /** A host that is itself a VM: fenced by destroying domain {@code name} at {@code uri}. */
        public Builder host(String host, String uri, String fenceUri, String fenceDomain) {
            hosts.put(host, new HostConfig(host, uri, fenceUri, fenceDomain));
            return this;
        }

        /** A directory of domain XMLs, {@code <vm>.xml}, to define VMs from on their new host. */
        public Builder xmlDir(Path dir) {
            this.xmlDir = dir;
            return this;
        }

        /** The storage pool whose volumes {@link LibvirtVolumes} looks up (default "default"). */
        public Builder storagePool(String pool) {
            this.storagePool = Objects.requireNonNull(pool, "pool");
            return this;
        }

        /** Another storage backend than libvirt's volumes (a SAN, Ceph...). */
        public Builder storage(DiskMapper storage) {
            this.storage = storage;
            return this;
        }

        public LibvirtConnector build() {
            if (hosts.isEmpty()) {
                throw new IllegalArgumentException("a libvirt connector needs at least one host");
            }
            return new LibvirtConnector(this);
        }
    }

    /** The domain names active on a host (for operators and tests). */
    public List<String> running(String host) throws LibvirtException {
        Connect c = connection(host);
        List<String> out = new ArrayList<>();
        for (int id : c.listDomains()) {
            out.add(c.domainLookupByID(id).getName());
        }
        return out;
    }
}
