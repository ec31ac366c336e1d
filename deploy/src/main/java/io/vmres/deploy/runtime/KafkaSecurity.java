package io.vmres.deploy.runtime;

import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;

/**
 * SASL_SSL and ACLs for the {@link EmbeddedKafka}, kept in one folder: a certificate authority and
 * the broker's key store (made with the JDK's {@code keytool}), a trust store of that authority,
 * one SCRAM-SHA-512 user per {@link Role} and, once the broker listens, one client properties file
 * per role ({@code job.properties}, {@code operator.properties}...) to pass as {@code
 * --kafka-properties}. A folder made once is used again as it is: the same passwords, the same
 * certificates.
 *
 * <p>The broker authorizes with KRaft's {@code StandardAuthorizer}: nothing is allowed without an
 * ACL, and each role has the ACLs of {@link #acls()}, the same as docs/security.md and
 * deploy/k8s/users.yaml give.
 */
public final class KafkaSecurity {
    /** The SASL mechanism of every client. */
    public static final String MECHANISM = "SCRAM-SHA-512";

    private static final String SECRETS = "secrets.properties";
    private static final String CA_STORE = "ca.p12";
    private static final String BROKER_STORE = "broker.p12";
    private static final String TRUST_STORE = "truststore.p12";
    private static final String STORE_PASSWORD = "store.password";
    private static final long KEYTOOL_TIMEOUT_S = 60;

    /** Who talks to Kafka, each as a principal of its own. */
    public enum Role {
        /** The broker itself and topic administration: a super user. */
        ADMIN("vmres-admin"),
        /** The vmres job. */
        JOB("vmres-job"),
        /** A connector running commands (its group and transactional ids: vmres-connector*). */
        CONNECTOR("vmres-connector"),
        /** A power poller (BMCs, PDUs, UPSes): power readings only. */
        POWER("vmres-power-poller"),
        /** Hosts' agents and the inventory source: heartbeats, health, inventory. */
        TELEMETRY("vmres-telemetry"),
        /**
         * The simulated fleet, which stands in for the hosts' agents, the inventory source and the
         * BMCs at once: heartbeats, health, inventory and power readings.
         */
        SIM_FLEET("vmres-sim-fleet"),
        /** Operators: requests (confirmations, maintenance), and the job's answers to them. */
        OPERATOR("vmres-operator"),
        /** The dashboard: reads the job's outputs, writes nothing. */
        DASHBOARD("vmres-dashboard");

        private final String user;

        Role(String user) {
            this.user = user;
        }

        /** The SCRAM user name. */
        public String user() {
            return user;
        }

        /** The principal ACLs name: {@code User:NAME}. */
        public String principal() {
            return "User:" + user;
        }

        /** The client properties file of the role in the folder: {@code sim-fleet.properties}. */
        public String fileName() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-') + ".properties";
        }
    }

    private final Path dir;
    private final Map<Role, String> passwords;
    private final String storePassword;

    private KafkaSecurity(Path dir, Map<Role, String> passwords, String storePassword) {
        this.dir = dir;
        this.passwords = passwords;
        this.storePassword = storePassword;
    }

    /**
     * The security kept in {@code dir}: read if the folder holds it, else made there (passwords,
     * certificate authority, broker key store, trust store).
     */
    public static KafkaSecurity in(Path dir) {
        Path d = dir.toAbsolutePath();
        try {
            Files.createDirectories(d);
            Path secrets = d.resolve(SECRETS);
            if (!Files.exists(secrets)) {
                makeSecrets(secrets);
            }
            Properties p = new Properties();
            try (var r = Files.newBufferedReader(secrets, StandardCharsets.UTF_8)) {
                p.load(r);
            }
            Map<Role, String> passwords = new LinkedHashMap<>();
            for (Role role : Role.values()) {
                String pw = p.getProperty(role.user());
                if (pw == null) {
                    throw new IllegalStateException(
                            secrets + " has no password for " + role.user());
                }
                passwords.put(role, pw);
            }
            KafkaSecurity s = new KafkaSecurity(d, passwords, p.getProperty(STORE_PASSWORD));
            if (!Files.exists(d.resolve(TRUST_STORE))) {
                s.makeStores();
            }
            return s;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot prepare Kafka security in " + dir, e);
        }
    }

    /** The folder. */
    public Path dir() {
        return dir;
    }

    /** The client properties file of a role (written by {@link #writeClientFiles}). */
    public Path clientFile(Role role) {
        return dir.resolve(role.fileName());
    }

    /** How {@code role} reaches the broker at {@code bootstrap}. */
    public KafkaEndpoint endpoint(Role role, String bootstrap) {
        return new KafkaEndpoint(bootstrap, clientProperties(role));
    }

    /** The client properties of a role: SASL_SSL, its SCRAM user, the trust store. */
    public Map<String, String> clientProperties(Role role) {
        Map<String, String> p = new LinkedHashMap<>();
        p.put("security.protocol", "SASL_SSL");
        p.put("sasl.mechanism", MECHANISM);
        p.put("sasl.jaas.config", scramJaas(role.user(), passwords.get(role)));
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", dir.resolve(TRUST_STORE).toString());
        p.put("ssl.truststore.password", storePassword);
        return p;
    }

    /** Writes one client properties file per role, {@code bootstrap.servers} included. */
    public void writeClientFiles(String bootstrap) {
        for (Role role : Role.values()) {
            StringBuilder b = new StringBuilder();
            b.append("# vmres Kafka client properties of ")
                    .append(role.principal())
                    .append(" (pass as --kafka-properties)\n");
            b.append(KafkaEndpoint.BOOTSTRAP_SERVERS).append('=').append(bootstrap).append('\n');
            clientProperties(role)
                    .forEach((k, v) -> b.append(k).append('=').append(escape(v)).append('\n'));
            writePrivate(clientFile(role), b.toString());
        }
    }

    /**
     * The broker's settings for a SASL_SSL client listener and a controller listener, both on
     * loopback: SCRAM-SHA-512 for clients and between brokers, PLAIN for the controller (KRaft
     * controllers do not take SCRAM), TLS with the broker's key store, the {@code
     * StandardAuthorizer} with nothing allowed without an ACL, the admin a super user.
     */
    Map<String, String> brokerProperties(
            String brokerListener, String controllerListener, String host, int port, int cport) {
        Map<String, String> p = new LinkedHashMap<>();
        String admin = Role.ADMIN.user();
        String adminPw = passwords.get(Role.ADMIN);
        p.put(
                "listeners",
                brokerListener
                        + "://"
                        + host
                        + ":"
                        + port
                        + ","
                        + controllerListener
                        + "://"
                        + host
                        + ":"
                        + cport);
        p.put("advertised.listeners", brokerListener + "://" + host + ":" + port);
        p.put(
                "listener.security.protocol.map",
                brokerListener + ":SASL_SSL," + controllerListener + ":SASL_SSL");
        p.put("sasl.enabled.mechanisms", MECHANISM);
        p.put("sasl.mechanism.inter.broker.protocol", MECHANISM);
        p.put("sasl.mechanism.controller.protocol", "PLAIN");
        String b = "listener.name." + brokerListener.toLowerCase(Locale.ROOT) + ".";
        String c = "listener.name." + controllerListener.toLowerCase(Locale.ROOT) + ".";
        p.put(b + "sasl.enabled.mechanisms", MECHANISM);
        p.put(b + "scram-sha-512.sasl.jaas.config", scramJaas(admin, adminPw));
        p.put(c + "sasl.enabled.mechanisms", "PLAIN");
        p.put(
                c + "plain.sasl.jaas.config",
                "org.apache.kafka.common.security.plain.PlainLoginModule required username=\""
                        + admin
                        + "\" password=\""
                        + adminPw
                        + "\" user_"
                        + admin
                        + "=\""
                        + adminPw
                        + "\";");
        p.put("ssl.keystore.type", "PKCS12");
        p.put("ssl.keystore.location", dir.resolve(BROKER_STORE).toString());
        p.put("ssl.keystore.password", storePassword);
        p.put("ssl.key.password", storePassword);
        p.put("ssl.truststore.type", "PKCS12");
        p.put("ssl.truststore.location", dir.resolve(TRUST_STORE).toString());
        p.put("ssl.truststore.password", storePassword);
        p.put("authorizer.class.name", "org.apache.kafka.metadata.authorizer.StandardAuthorizer");
        p.put("allow.everyone.if.no.acl.found", "false");
        p.put("super.users", Role.ADMIN.principal());
        return p;
    }

    /** The SCRAM users to create when the storage is formatted ({@code --add-scram}). */
    List<String> scramArguments() {
        List<String> out = new ArrayList<>();
        passwords.forEach(
                (role, pw) ->
                        out.add(MECHANISM + "=[name=" + role.user() + ",password=" + pw + "]"));
        return out;
    }

    /**
     * Every role's ACLs: what it reads, what it writes, its consumer groups and transactional ids.
     * Write, read and create imply describe.
     */
    public static List<AclBinding> acls() {
        List<AclBinding> a = new ArrayList<>();
        // the job: its inputs and the command results in; commands and its outputs out
        for (String t : Topics.INPUTS) {
            a.add(topic(Role.JOB, t, AclOperation.READ));
        }
        a.add(topic(Role.JOB, Topics.COMMAND_RESULTS, AclOperation.READ));
        for (String t :
                List.of(
                        Topics.COMMANDS,
                        Topics.INCIDENTS,
                        Topics.ALERTS,
                        Topics.FLEET_STATE,
                        Topics.DEAD_LETTER)) {
            a.add(topic(Role.JOB, t, AclOperation.WRITE));
        }
        a.add(prefixed(Role.JOB, ResourceType.GROUP, "vmres-job", AclOperation.READ));
        a.add(prefixed(Role.JOB, ResourceType.TRANSACTIONAL_ID, "vmres-job", AclOperation.WRITE));
        // a connector: commands in; results, dead letters and its ledger out
        a.add(topic(Role.CONNECTOR, Topics.COMMANDS, AclOperation.READ));
        a.add(topic(Role.CONNECTOR, Topics.COMMAND_RESULTS, AclOperation.WRITE));
        a.add(topic(Role.CONNECTOR, Topics.DEAD_LETTER, AclOperation.WRITE));
        // a refused command is told on the alerts topic (COMMAND_REJECTED)
        a.add(topic(Role.CONNECTOR, Topics.ALERTS, AclOperation.WRITE));
        for (AclOperation op :
                List.of(AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE)) {
            a.add(topic(Role.CONNECTOR, Topics.CONNECTOR_LEDGER, op));
        }
        for (String prefix : List.of("vmres-connector", "vmres-fleet")) {
            a.add(prefixed(Role.CONNECTOR, ResourceType.GROUP, prefix, AclOperation.READ));
            a.add(
                    prefixed(
                            Role.CONNECTOR,
                            ResourceType.TRANSACTIONAL_ID,
                            prefix,
                            AclOperation.WRITE));
        }
        // telemetry writers
        a.add(topic(Role.POWER, Topics.POWER, AclOperation.WRITE));
        for (String t : List.of(Topics.HEARTBEAT, Topics.HEALTH, Topics.INVENTORY)) {
            a.add(topic(Role.TELEMETRY, t, AclOperation.WRITE));
            a.add(topic(Role.SIM_FLEET, t, AclOperation.WRITE));
        }
        a.add(topic(Role.SIM_FLEET, Topics.POWER, AclOperation.WRITE));
        // operators: requests out, the job's answers in (read without a group)
        a.add(topic(Role.OPERATOR, Topics.REQUESTS, AclOperation.WRITE));
        a.add(topic(Role.OPERATOR, Topics.INCIDENTS, AclOperation.READ));
        a.add(topic(Role.OPERATOR, Topics.ALERTS, AclOperation.READ));
        // the dashboard reads, a fresh group at each start
        for (String t :
                List.of(
                        Topics.FLEET_STATE,
                        Topics.INCIDENTS,
                        Topics.COMMANDS,
                        Topics.COMMAND_RESULTS,
                        Topics.ALERTS)) {
            a.add(topic(Role.DASHBOARD, t, AclOperation.READ));
        }
        a.add(prefixed(Role.DASHBOARD, ResourceType.GROUP, "vmres-dashboard-", AclOperation.READ));
        return List.copyOf(a);
    }

    private static AclBinding topic(Role role, String topic, AclOperation op) {
        return new AclBinding(
                new ResourcePattern(ResourceType.TOPIC, topic, PatternType.LITERAL),
                allow(role, op));
    }

    private static AclBinding prefixed(
            Role role, ResourceType type, String prefix, AclOperation op) {
        return new AclBinding(
                new ResourcePattern(type, prefix, PatternType.PREFIXED), allow(role, op));
    }

    private static AccessControlEntry allow(Role role, AclOperation op) {
        return new AccessControlEntry(role.principal(), "*", op, AclPermissionType.ALLOW);
    }

    private static String scramJaas(String user, String password) {
        return "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
                + user
                + "\" password=\""
                + password
                + "\";";
    }

    /** Java properties escaping of a value: backslashes only appear in Windows paths. */
    private static String escape(String v) {
        return v.replace("\\", "\\\\");
    }

    private static void makeSecrets(Path secrets) {
        SecureRandom random = new SecureRandom();
        StringBuilder b =
                new StringBuilder("# vmres embedded Kafka: SCRAM passwords, store password\n");
        for (Role role : Role.values()) {
            b.append(role.user()).append('=').append(secret(random)).append('\n');
        }
        b.append(STORE_PASSWORD).append('=').append(secret(random)).append('\n');
        writePrivate(secrets, b.toString());
    }

    /** 24 random bytes in hex: no character that a JAAS line or a SCRAM argument would quote. */
    private static String secret(SecureRandom random) {
        byte[] bytes = new byte[24];
        random.nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    /** A CA, the broker's key pair signed by it (for 127.0.0.1 and localhost), a trust store. */
    private void makeStores() throws IOException {
        Path ca = dir.resolve(CA_STORE);
        Path broker = dir.resolve(BROKER_STORE);
        Path trust = dir.resolve(TRUST_STORE);
        Path csr = dir.resolve("broker.csr");
        Path crt = dir.resolve("broker.crt");
        Path caCrt = dir.resolve("ca.crt");
        for (Path p : List.of(ca, broker, trust, csr, crt, caCrt)) {
            Files.deleteIfExists(p);
        }
        String pw = storePassword;
        keytool(
                "-genkeypair",
                "-alias",
                "ca",
                "-dname",
                "CN=vmres embedded Kafka CA",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "3650",
                "-ext",
                "bc:c",
                "-keystore",
                ca.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                pw,
                "-keypass",
                pw);
        keytool(
                "-exportcert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-storepass",
                pw,
                "-file",
                caCrt.toString());
        keytool(
                "-genkeypair",
                "-alias",
                "broker",
                "-dname",
                "CN=127.0.0.1",
                "-keyalg",
                "EC",
                "-groupname",
                "secp256r1",
                "-validity",
                "3650",
                "-keystore",
                broker.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                pw,
                "-keypass",
                pw);
        keytool(
                "-certreq",
                "-alias",
                "broker",
                "-keystore",
                broker.toString(),
                "-storepass",
                pw,
                "-file",
                csr.toString());
        keytool(
                "-gencert",
                "-rfc",
                "-alias",
                "ca",
                "-keystore",
                ca.toString(),
                "-storepass",
                pw,
                "-infile",
                csr.toString(),
                "-outfile",
                crt.toString(),
                "-validity",
                "3650",
                "-ext",
                "SAN=ip:127.0.0.1,dns:localhost",
                "-ext",
                "EKU=serverAuth,clientAuth");
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                caCrt.toString(),
                "-keystore",
                broker.toString(),
                "-storepass",
                pw);
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "broker",
                "-file",
                crt.toString(),
                "-keystore",
                broker.toString(),
                "-storepass",
                pw);
        keytool(
                "-importcert",
                "-noprompt",
                "-alias",
                "ca",
                "-file",
                caCrt.toString(),
                "-keystore",
                trust.toString(),
                "-storetype",
                "PKCS12",
                "-storepass",
                pw);
        Files.deleteIfExists(csr);
        Files.deleteIfExists(crt);
        restrict(ca);
        restrict(broker);
    }

    private void keytool(String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p =
                new ProcessBuilder(cmd).directory(dir.toFile()).redirectErrorStream(true).start();
        try {
            byte[] output = p.getInputStream().readAllBytes();
            if (!p.waitFor(KEYTOOL_TIMEOUT_S, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("keytool " + args[0] + " did not end");
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(
                        "keytool "
                                + args[0]
                                + " failed: "
                                + new String(output, StandardCharsets.UTF_8).trim());
            }
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while running keytool", e);
        }
    }

    private static void writePrivate(Path file, String text) {
        try {
            Files.writeString(file, text, StandardCharsets.UTF_8);
            restrict(file);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write " + file, e);
        }
    }

    /** Owner only, where the file system knows POSIX permissions: the file holds secrets. */
    private static void restrict(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: the folder's own permissions are what protects it
        }
    }
}
