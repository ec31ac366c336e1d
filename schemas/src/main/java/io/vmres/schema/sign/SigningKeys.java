package io.vmres.schema.sign;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.EnumMap;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The Ed25519 keys of one process, read from a keys file (Java properties), never from a command
 * line:
 *
 * <pre>
 * key.job-2.signs=commands          # what the key signs: commands (the job) or results (connectors)
 * key.job-2.public=MCowBQYDK2VwAyEA...   # X.509 SubjectPublicKeyInfo, base64
 * key.job-2.private=MC4CAQAwBQYDK2Vw...  # PKCS#8, base64: only in the file of the signer
 * key.job-1.signs=commands
 * key.job-1.public=MCowBQYDK2VwAyEA...   # still valid: a rotation is under way
 * key.job-0.signs=commands
 * key.job-0.public=...
 * key.job-0.retired=true                 # refused, with its own reason
 * sign.commands=job-2                    # the key that signs (needed when several could)
 * </pre>
 *
 * A record verifies with any key of its purpose that is listed and not retired; a key signs only
 * records of its purpose, so that a connector's key can never sign a command.
 */
public final class SigningKeys {
    /** The Java Cryptography Architecture name of the algorithm. */
    public static final String ALGORITHM = "Ed25519";

    private static final Set<String> FIELDS = Set.of("signs", "public", "private", "retired");

    private static final Pattern KEY = Pattern.compile("key\\.([A-Za-z0-9_-]{1,64})\\.(\\w+)");

    /** One key: what it signs, its public half, its private half where this process signs. */
    private record Entry(
            KeyPurpose purpose, PublicKey publicKey, PrivateKey privateKey, boolean retired) {}

    private final Map<String, Entry> keys;
    private final Map<KeyPurpose, String> signing;
    private final String origin;

    private SigningKeys(Map<String, Entry> keys, Map<KeyPurpose, String> signing, String origin) {
        this.keys = keys;
        this.signing = signing;
        this.origin = origin;
    }

    /**
     * Reads a keys file.
     *
     * @throws IllegalArgumentException saying what is wrong with it (unreadable, a bad key)
     */
    public static SigningKeys load(Path file) {
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
            p.load(r);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read the keys file " + file + ": " + e, e);
        }
        return parse(p, file.toString());
    }

    /** Keys from properties of the keys file's format; {@code origin} names them in messages. */
    public static SigningKeys parse(Properties p, String origin) {
        Map<String, Map<String, String>> byId = new TreeMap<>();
        for (String name : new TreeSet<>(p.stringPropertyNames())) {
            Matcher m = KEY.matcher(name);
            if (m.matches()) {
                byId.computeIfAbsent(m.group(1), k -> new TreeMap<>())
                        .put(m.group(2), p.getProperty(name).trim());
            } else if (!name.startsWith("sign.")) {
                throw new IllegalArgumentException(
                        origin
                                + ": unknown entry "
                                + name
                                + " (key.ID.signs|public|private|retired, sign.PURPOSE)");
            }
        }
        Map<String, Entry> keys = new TreeMap<>();
        for (var e : byId.entrySet()) {
            keys.put(e.getKey(), entry(e.getKey(), e.getValue(), origin));
        }
        Map<KeyPurpose, String> signing = new EnumMap<>(KeyPurpose.class);
        for (KeyPurpose purpose : KeyPurpose.values()) {
            String named = p.getProperty("sign." + purpose.word());
            if (named != null) {
                Entry e = keys.get(named.trim());
                if (e == null || e.privateKey == null || e.purpose != purpose || e.retired) {
                    throw new IllegalArgumentException(
                            origin
                                    + ": sign."
                                    + purpose.word()
                                    + "="
                                    + named
                                    + " names no private, unretired key that signs "
                                    + purpose.word());
                }
                signing.put(purpose, named.trim());
                continue;
            }
            String only = null;
            for (var e : keys.entrySet()) {
                Entry k = e.getValue();
                if (k.purpose == purpose && k.privateKey != null && !k.retired) {
                    if (only != null) {
                        throw new IllegalArgumentException(
                                origin
                                        + ": several private keys sign "
                                        + purpose.word()
                                        + "; name the one to sign with: sign."
                                        + purpose.word()
                                        + "=ID");
                    }
                    only = e.getKey();
                }
            }
            if (only != null) {
                signing.put(purpose, only);
            }
        }
        return new SigningKeys(keys, signing, origin);
    }

    private static Entry entry(String id, Map<String, String> f, String origin) {
        String what = origin + ": key " + id;
        for (String name : f.keySet()) {
            if (!FIELDS.contains(name)) {
                throw new IllegalArgumentException(what + ": unknown field " + name);
            }
        }
        String signs = f.get("signs");
        KeyPurpose purpose = null;
        for (KeyPurpose k : KeyPurpose.values()) {
            if (k.word().equals(signs)) {
                purpose = k;
            }
        }
        if (purpose == null) {
            throw new IllegalArgumentException(
                    what + ": signs must be commands or results, not " + signs);
        }
        if (f.get("public") == null) {
            throw new IllegalArgumentException(what + ": no public key");
        }
        try {
            KeyFactory kf = KeyFactory.getInstance(ALGORITHM);
            PublicKey pub =
                    kf.generatePublic(
                            new X509EncodedKeySpec(Base64.getDecoder().decode(f.get("public"))));
            PrivateKey priv =
                    f.get("private") == null
                            ? null
                            : kf.generatePrivate(
                                    new PKCS8EncodedKeySpec(
                                            Base64.getDecoder().decode(f.get("private"))));
            boolean retired = Boolean.parseBoolean(f.getOrDefault("retired", "false"));
            if (priv != null && !matches(pub, priv)) {
                throw new IllegalArgumentException(
                        what + ": the private key is not the public key's");
            }
            return new Entry(purpose, pub, priv, retired);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            if (e.getMessage() != null && e.getMessage().startsWith(what)) {
                throw (IllegalArgumentException) e;
            }
            throw new IllegalArgumentException(
                    what + ": not an " + ALGORITHM + " key: " + e.getMessage(), e);
        }
    }

    private static boolean matches(PublicKey pub, PrivateKey priv) throws GeneralSecurityException {
        byte[] probe = "vmres key check".getBytes(StandardCharsets.UTF_8);
        Signature s = Signature.getInstance(ALGORITHM);
        s.initSign(priv);
        s.update(probe);
        byte[] sig = s.sign();
        Signature v = Signature.getInstance(ALGORITHM);
        v.initVerify(pub);
        v.update(probe);
        return v.verify(sig);
    }

    /** Where the keys were read from. */
    public String origin() {
        return origin;
    }

    /** The id of the key this process signs records of {@code purpose} with, or null: none. */
    public String signingKeyId(KeyPurpose purpose) {
        return signing.get(purpose);
    }

    /** Whether any key, valid or retired, is listed for records of {@code purpose}. */
    public boolean verifies(KeyPurpose purpose) {
        return keys.values().stream().anyMatch(e -> e.purpose == purpose && !e.retired);
    }

    /** Signs {@code message} with the signing key of {@code purpose}. */
    public byte[] sign(KeyPurpose purpose, byte[] message) {
        String id = signing.get(purpose);
        if (id == null) {
            throw new IllegalStateException(origin + ": no private key signs " + purpose.word());
        }
        try {
            Signature s = Signature.getInstance(ALGORITHM);
            s.initSign(keys.get(id).privateKey);
            s.update(message);
            return s.sign();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot sign with " + id + ": " + e, e);
        }
    }

    /** Checks a signature of a record of {@code purpose} made with key {@code keyId}. */
    public Verdict verify(KeyPurpose purpose, String keyId, byte[] message, byte[] signature) {
        Entry e = keys.get(keyId);
        if (e == null) {
            return Verdict.refused("unknown key " + keyId);
        }
        if (e.purpose != purpose) {
            return Verdict.refused(
                    "key " + keyId + " signs " + e.purpose.word() + ", not " + purpose.word());
        }
        if (e.retired) {
            return Verdict.refused("retired key " + keyId);
        }
        try {
            Signature v = Signature.getInstance(ALGORITHM);
            v.initVerify(e.publicKey);
            v.update(message);
            if (v.verify(signature)) {
                return Verdict.VALID;
            }
        } catch (GeneralSecurityException | IllegalArgumentException ex) {
            // a signature of the wrong length or form: not one of ours
        }
        return Verdict.refused("bad signature (forged or altered) for key " + keyId);
    }

    // ---- making keys ----

    /** A fresh Ed25519 key pair. */
    public static KeyPair newKeyPair() {
        try {
            return KeyPairGenerator.getInstance(ALGORITHM).generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(ALGORITHM + " is missing from this JDK", e);
        }
    }

    /**
     * Adds a key to properties of the keys file's format: {@code pair}'s public half, and its
     * private half when {@code withPrivate}.
     */
    public static void put(
            Properties p, String id, KeyPurpose purpose, KeyPair pair, boolean withPrivate) {
        if (!KEY.matcher("key." + id + ".signs").matches()) {
            throw new IllegalArgumentException(
                    "a key id is 1 to 64 letters, digits, '-' or '_': " + id);
        }
        p.setProperty("key." + id + ".signs", purpose.word());
        p.setProperty(
                "key." + id + ".public",
                Base64.getEncoder().encodeToString(pair.getPublic().getEncoded()));
        if (withPrivate) {
            p.setProperty(
                    "key." + id + ".private",
                    Base64.getEncoder().encodeToString(pair.getPrivate().getEncoded()));
        }
    }

    /**
     * Keys for one machine running both sides (the embedded runtime): a fresh pair that signs
     * commands and one that signs results, both with their private halves.
     */
    public static Properties generateForOneMachine() {
        Properties p = new Properties();
        put(p, "job-1", KeyPurpose.COMMANDS, newKeyPair(), true);
        put(p, "connector-1", KeyPurpose.RESULTS, newKeyPair(), true);
        return p;
    }

    /** Writes a keys file readable by its owner only (where the file system allows it). */
    public static Path write(Properties p, Path file) throws IOException {
        Files.deleteIfExists(file);
        try {
            Files.createFile(
                    file,
                    PosixFilePermissions.asFileAttribute(
                            PosixFilePermissions.fromString("rw-------")));
        } catch (UnsupportedOperationException e) {
            Files.createFile(file);
        }
        try (Writer w =
                Files.newBufferedWriter(
                        file, StandardCharsets.UTF_8, StandardOpenOption.TRUNCATE_EXISTING)) {
            p.store(w, "vmres signing keys (docs/security.md)");
        }
        return file;
    }
}
