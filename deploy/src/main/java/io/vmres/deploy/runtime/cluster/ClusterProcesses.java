package io.vmres.deploy.runtime.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Starts and stops the processes of one local cluster. Each is a JVM started in a session of its
 * own (so that it outlives {@code vmres cluster up} and a closed terminal), with its pid in {@code
 * pids/NAME.pid}, its output in {@code logs/NAME.out}, and the cluster's folder on its command line
 * ({@code -Dvmres.cluster=DIR}): a pid is only ever signalled while its command line still names
 * this cluster, so a pid reused by another program is left alone.
 */
public final class ClusterProcesses {
    private final Path home;

    public ClusterProcesses(Path home) {
        this.home = home.toAbsolutePath().normalize();
    }

    /** The marker on the command line of every process of this cluster. */
    public String marker() {
        return "-Dvmres.cluster=" + home;
    }

    public Path pidFile(String name) {
        return home.resolve("pids").resolve(name + ".pid");
    }

    public Path outFile(String name) {
        return home.resolve("logs").resolve(name + ".out");
    }

    public Path logFile(String name) {
        return home.resolve("logs").resolve(name + ".log");
    }

    /**
     * Starts {@code java JVM_OPTS -cp CLASSPATH MAIN ARGS} as the part {@code name}, its output
     * appended to {@code logs/NAME.out}.
     */
    public ProcessHandle start(
            String name,
            Path java,
            List<String> jvmOpts,
            String classpath,
            String main,
            List<String> args)
            throws IOException {
        Files.createDirectories(home.resolve("pids"));
        Files.createDirectories(home.resolve("logs"));
        List<String> cmd = new ArrayList<>();
        // setsid: a session of its own, so that no terminal's hangup reaches it
        if (Files.isExecutable(Path.of("/usr/bin/setsid"))) {
            cmd.add("/usr/bin/setsid");
        }
        cmd.add(java.toString());
        cmd.add(marker());
        cmd.add("-Dvmres.cluster.part=" + name);
        cmd.addAll(jvmOpts);
        cmd.add("-cp");
        cmd.add(classpath);
        cmd.add(main);
        cmd.addAll(args);
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.directory(home.toFile());
        pb.redirectErrorStream(true);
        pb.redirectOutput(ProcessBuilder.Redirect.appendTo(outFile(name).toFile()));
        pb.redirectInput(ProcessBuilder.Redirect.from(Path.of("/dev/null").toFile()));
        Process p = pb.start();
        // setsid execs the java command in the same process (it is not a group leader here)
        Files.writeString(pidFile(name), p.pid() + "\n", StandardCharsets.UTF_8);
        return p.toHandle();
    }

    /** How long a process just started may show another command line than its own. */
    static final Duration EXEC_WINDOW = Duration.ofSeconds(1);

    /** The live process of part {@code name}, if its pid file names one of this cluster. */
    public Optional<ProcessHandle> find(String name) throws IOException {
        Path f = pidFile(name);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        long pid;
        try {
            pid = Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).strip());
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
        return ProcessHandle.of(pid).filter(ProcessHandle::isAlive).filter(this::oursOnceStarted);
    }

    /**
     * Whether {@code p} runs this cluster's command, allowing {@link #EXEC_WINDOW} for a process
     * just started: until setsid has handed over to the command it runs, the process shows another
     * command line, and a part started a moment ago would be taken for one that has exited.
     */
    private boolean oursOnceStarted(ProcessHandle p) {
        long until = System.nanoTime() + EXEC_WINDOW.toNanos();
        while (true) {
            if (ours(p)) {
                return true;
            }
            if (!p.isAlive() || System.nanoTime() > until) {
                return false;
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        }
    }

    /** The pid recorded for part {@code name}, alive or not. */
    public Optional<Long> recordedPid(String name) throws IOException {
        Path f = pidFile(name);
        if (!Files.isRegularFile(f)) {
            return Optional.empty();
        }
        try {
            return Optional.of(Long.parseLong(Files.readString(f, StandardCharsets.UTF_8).strip()));
        } catch (NumberFormatException e) {
            return Optional.empty();
        }
    }

    private boolean ours(ProcessHandle p) {
        try {
            // /proc/PID/cmdline: NUL-separated arguments; readable for our own processes
            String cmdline =
                    Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline"))
                            .replace('\0', ' ');
            return cmdline.contains(marker() + " ");
        } catch (IOException e) {
            // no /proc (not Linux): the recorded command is the next best thing
            return p.info().commandLine().map(c -> c.contains(marker())).orElse(false);
        }
    }

    /**
     * Stops the given parts: SIGTERM to each at once, then SIGKILL to any still alive after {@code
     * grace}; waits until each is gone and removes its pid file.
     *
     * @return what happened to each, one line per part that was running
     */
    public List<String> stop(List<String> names, Duration grace)
            throws IOException, InterruptedException {
        List<String> told = new ArrayList<>();
        List<ProcessHandle> running = new ArrayList<>();
        List<String> runningNames = new ArrayList<>();
        for (String name : names) {
            Optional<ProcessHandle> p = find(name);
            if (p.isPresent()) {
                p.get().destroy();
                running.add(p.get());
                runningNames.add(name);
            } else {
                Files.deleteIfExists(pidFile(name));
            }
        }
        long deadline = System.nanoTime() + grace.toNanos();
        for (int i = 0; i < running.size(); i++) {
            ProcessHandle p = running.get(i);
            long left = Math.max(0, deadline - System.nanoTime());
            try {
                p.onExit().get(left, java.util.concurrent.TimeUnit.NANOSECONDS);
                told.add(
                        String.format(
                                java.util.Locale.ROOT,
                                "%s (pid %d) stopped",
                                runningNames.get(i),
                                p.pid()));
            } catch (java.util.concurrent.TimeoutException
                    | java.util.concurrent.ExecutionException e) {
                p.destroyForcibly();
                p.onExit().join();
                told.add(
                        String.format(
                                java.util.Locale.ROOT,
                                "%s (pid %d) killed: still running %d s after SIGTERM",
                                runningNames.get(i),
                                p.pid(),
                                grace.toSeconds()));
            }
            Files.deleteIfExists(pidFile(runningNames.get(i)));
        }
        return told;
    }
}
