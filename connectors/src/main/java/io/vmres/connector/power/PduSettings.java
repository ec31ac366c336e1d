package io.vmres.connector.power;

import io.vmres.connector.runtime.ConnectorSettings;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.snmp4j.Snmp;

/**
 * The settings of {@code vmres connector --type pdu}: the power devices ({@code pdu.source.NAME.*},
 * Redfish PDUs or UPSes over SNMP), the power domains they feed ({@code pdu.domain.NAME.feeds}),
 * and the poller's limits. Passwords and communities come from the settings file or from a file it
 * names, never from the command line. docs/connectors.md lists every key.
 */
public record PduSettings(
        Map<String, Source> sources,
        Map<String, List<PowerFeed>> domains,
        Duration interval,
        Duration timeout,
        int parallel) {

    /** The kinds of power device. */
    public enum Kind {
        REDFISH,
        SNMP
    }

    /** One device: its kind and how to reach it. */
    public record Source(
            String name,
            Kind kind,
            String address,
            Optional<String> user,
            Optional<String> secret,
            Optional<Path> caFile) {
        @Override
        public String toString() {
            return name
                    + " ("
                    + kind.name().toLowerCase(java.util.Locale.ROOT)
                    + " "
                    + address
                    + ")";
        }
    }

    public PduSettings {
        sources = Map.copyOf(sources);
        domains = Map.copyOf(new TreeMap<>(domains));
        if (domains.isEmpty()) {
            throw new IllegalArgumentException("no power domain: set pdu.domain.NAME.feeds");
        }
        for (Map.Entry<String, List<PowerFeed>> d : domains.entrySet()) {
            for (PowerFeed f : d.getValue()) {
                Source s = sources.get(f.source());
                if (s == null) {
                    throw new IllegalArgumentException(
                            "pdu.domain." + d.getKey() + ".feeds: no pdu.source." + f.source());
                }
                if (f.outlet().isPresent() && s.kind() != Kind.REDFISH) {
                    throw new IllegalArgumentException(
                            "pdu.domain."
                                    + d.getKey()
                                    + ".feeds: "
                                    + f
                                    + ": only a Redfish PDU has outlets to name");
                }
            }
        }
        if (interval.isZero()
                || interval.isNegative()
                || timeout.isZero()
                || timeout.isNegative()) {
            throw new IllegalArgumentException("pdu.interval and pdu.timeout must be positive");
        }
        if (timeout.compareTo(interval) > 0) {
            throw new IllegalArgumentException(
                    "pdu.timeout ("
                            + timeout
                            + ") must not exceed pdu.interval ("
                            + interval
                            + ")");
        }
        if (parallel < 1) {
            throw new IllegalArgumentException("pdu.parallel must be at least 1");
        }
    }

    /** The settings of the {@code pdu.} keys. */
    public static PduSettings from(ConnectorSettings s) {
        Map<String, Source> sources = new TreeMap<>();
        for (String name : s.names("pdu.source.", ".type")) {
            String p = "pdu.source." + name;
            String type = s.require(p + ".type");
            Kind kind =
                    switch (type) {
                        case "redfish" -> Kind.REDFISH;
                        case "snmp" -> Kind.SNMP;
                        default ->
                                throw new IllegalArgumentException(
                                        p + ".type: '" + type + "' is not redfish or snmp");
                    };
            if (kind == Kind.REDFISH) {
                Optional<String> user = s.get(p + ".user");
                sources.put(
                        name,
                        new Source(
                                name,
                                kind,
                                s.require(p + ".url"),
                                user,
                                user.isPresent()
                                        ? Optional.of(secret(s, p + ".password"))
                                        : Optional.empty(),
                                s.get(p + ".ca.file").map(Path::of)));
            } else {
                sources.put(
                        name,
                        new Source(
                                name,
                                kind,
                                s.require(p + ".address"),
                                Optional.empty(),
                                Optional.of(secret(s, p + ".community")),
                                Optional.empty()));
            }
        }
        Map<String, List<PowerFeed>> domains = new LinkedHashMap<>();
        for (String d : s.names("pdu.domain.", ".feeds")) {
            String key = "pdu.domain." + d + ".feeds";
            domains.put(d, PowerFeed.parseList(key, s.require(key)));
        }
        return new PduSettings(
                sources,
                domains,
                s.getDuration("pdu.interval", Duration.ofSeconds(5)),
                s.getDuration("pdu.timeout", Duration.ofSeconds(3)),
                s.getInt("pdu.parallel", 8));
    }

    /** A secret: {@code KEY} in the settings file, or the content of the file {@code KEY.file}. */
    private static String secret(ConnectorSettings s, String key) {
        Optional<String> inline = s.get(key);
        if (inline.isPresent()) {
            return inline.get();
        }
        String file = s.require(key + ".file");
        try {
            return Files.readString(Path.of(file)).strip();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read " + file + " (" + key + ".file)", e);
        }
    }

    /** The devices that some domain names, which are the only ones read. */
    public List<Source> usedSources() {
        List<Source> out = new ArrayList<>();
        for (Source src : new TreeMap<>(sources).values()) {
            if (domains.values().stream()
                    .anyMatch(fs -> fs.stream().anyMatch(f -> f.source().equals(src.name())))) {
                out.add(src);
            }
        }
        return out;
    }

    /**
     * A reader of each device that a domain names, from the settings {@code pdu.max.response.bytes}
     * (1 MiB), {@code pdu.redfish.min.volts} (20) and {@code pdu.snmp.retries} (1).
     *
     * @param snmp the SNMP session for the UPSes (created only when one is named)
     */
    public Map<String, PduReader> readers(ConnectorSettings s, Supplier<Snmp> snmp) {
        int maxBytes = s.getInt("pdu.max.response.bytes", 1 << 20);
        double minVolts = Double.parseDouble(s.get("pdu.redfish.min.volts", "20"));
        int retries = s.getInt("pdu.snmp.retries", 1);
        Map<String, PduReader> out = new TreeMap<>();
        for (Source src : usedSources()) {
            if (src.kind() == Kind.REDFISH) {
                try {
                    out.put(
                            src.name(),
                            new RedfishPdu(
                                    URI.create(src.address()),
                                    src.user().orElse(null),
                                    src.secret().orElse(null),
                                    src.caFile().isPresent()
                                            ? RedfishPdu.trusting(src.caFile().get())
                                            : null,
                                    timeout,
                                    maxBytes,
                                    minVolts));
                } catch (IOException | GeneralSecurityException e) {
                    throw new IllegalArgumentException(
                            "pdu.source." + src.name() + ".ca.file: " + e.getMessage(), e);
                }
            } else {
                out.put(
                        src.name(),
                        new SnmpUps(snmp.get(), src.address(), src.secret().get(), retries));
            }
        }
        return out;
    }
}
