package io.vmres.deploy.runtime.cluster;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Where the pieces of a local cluster come from: the Java binary, the class path of the Kafka and
 * Flink processes ({@code deploy/target/cluster.classpath}, written by the build: Flink's runtime,
 * web submission and RocksDB, Kafka's broker, without vmres or the job's connectors, which come in
 * the job jar) and the job's shaded jar.
 *
 * @param root the checkout (the folder holding {@code jobs/} and {@code deploy/})
 * @param processClasspath the class path of {@code vmres} itself, for the fleet process
 */
public record Installation(
        Path root, Path java, List<Path> clusterClasspath, String processClasspath) {

    /** The installation this JVM runs from. */
    public static Installation current() throws IOException {
        Path root = findRoot();
        Path file = root.resolve("deploy/target/cluster.classpath");
        if (!Files.isRegularFile(file)) {
            throw new IllegalStateException(
                    file + " is missing: build first (mvn -q -B -DskipTests package)");
        }
        List<Path> cp = new ArrayList<>();
        for (Path f : List.of(file, root.resolve("deploy/target/cluster-provided.classpath"))) {
            if (!Files.isRegularFile(f)) {
                continue;
            }
            for (String e : Files.readString(f, StandardCharsets.UTF_8).strip().split(":")) {
                if (!e.isEmpty()) {
                    cp.add(Path.of(e));
                }
            }
        }
        Path java =
                ProcessHandle.current()
                        .info()
                        .command()
                        .map(Path::of)
                        .orElse(Path.of(System.getProperty("java.home"), "bin", "java"));
        return new Installation(root, java, List.copyOf(cp), System.getProperty("java.class.path"));
    }

    /** Whether RocksDB's state backend is on the cluster's class path. */
    public boolean hasRocksDb() {
        return clusterClasspath.stream()
                .anyMatch(p -> p.getFileName().toString().startsWith("flink-statebackend-rocksdb"));
    }

    /** The class path of the Kafka and Flink processes, as one string. */
    public String clusterClasspathString() {
        return String.join(":", clusterClasspath.stream().map(Path::toString).toList());
    }

    /** The job's shaded jar ({@code jobs/target/vmres-jobs-*-job.jar}), if built. */
    public Optional<Path> jobJar() throws IOException {
        Path target = root.resolve("jobs/target");
        if (!Files.isDirectory(target)) {
            return Optional.empty();
        }
        try (DirectoryStream<Path> jars =
                Files.newDirectoryStream(target, "vmres-jobs-*-job.jar")) {
            for (Path jar : jars) {
                return Optional.of(jar);
            }
        }
        return Optional.empty();
    }

    /**
     * The checkout: three folders above the classes of this module ({@code deploy/target/classes}).
     */
    private static Path findRoot() {
        try {
            Path classes =
                    Path.of(
                            Installation.class
                                    .getProtectionDomain()
                                    .getCodeSource()
                                    .getLocation()
                                    .toURI());
            Path root = classes.getParent().getParent().getParent();
            if (Files.isDirectory(root.resolve("jobs"))
                    && Files.isDirectory(root.resolve("deploy"))) {
                return root;
            }
        } catch (URISyntaxException | RuntimeException e) {
            // fall back to the working folder below
        }
        Path cwd = Path.of("").toAbsolutePath();
        if (Files.isDirectory(cwd.resolve("jobs")) && Files.isDirectory(cwd.resolve("deploy"))) {
            return cwd;
        }
        throw new IllegalStateException(
                "cannot find the vmres checkout (run bin/vmres from its folder)");
    }
}
