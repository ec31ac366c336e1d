package io.vmres.deploy.runtime.cluster;

import java.io.IOException;
import java.io.Reader;
import java.io.Writer;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;

/**
 * The ports of one local cluster, chosen free on loopback at {@code up} and kept in {@code
 * cluster.properties} for the commands that follow.
 *
 * @param kafkaPorts the brokers' client ports, broker {@code i + 1} at index {@code i}
 * @param controllerPorts the brokers' controller (KRaft quorum) ports
 * @param restPort the JobManager's REST API and web UI
 * @param rpcPort the JobManager's RPC port, which TaskManagers register at
 * @param blobPort the JobManager's blob server (jars to TaskManagers)
 */
public record ClusterConfig(
        List<Integer> kafkaPorts,
        List<Integer> controllerPorts,
        int restPort,
        int rpcPort,
        int blobPort) {

    /** Every process binds here and nowhere else. */
    public static final String HOST = "127.0.0.1";

    public static final String FILE = "cluster.properties";

    /** Free ports on loopback for {@code brokers} brokers and one JobManager. */
    public static ClusterConfig freePorts(int brokers) throws IOException {
        List<ServerSocket> held = new ArrayList<>();
        try {
            List<Integer> kafka = new ArrayList<>();
            List<Integer> controller = new ArrayList<>();
            for (int i = 0; i < brokers; i++) {
                kafka.add(hold(held));
                controller.add(hold(held));
            }
            return new ClusterConfig(kafka, controller, hold(held), hold(held), hold(held));
        } finally {
            for (ServerSocket s : held) {
                s.close();
            }
        }
    }

    private static int hold(List<ServerSocket> held) throws IOException {
        // held open until all are chosen, so that no two are the same
        ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName(HOST));
        held.add(s);
        return s.getLocalPort();
    }

    /** The brokers' bootstrap servers. */
    public String bootstrap() {
        return String.join(",", kafkaPorts.stream().map(p -> HOST + ":" + p).toList());
    }

    /** The web UI and REST API. */
    public String restUrl() {
        return "http://" + HOST + ":" + restPort;
    }

    public void save(Path home) throws IOException {
        Properties p = new Properties();
        p.setProperty("kafka.ports", join(kafkaPorts));
        p.setProperty("kafka.controller.ports", join(controllerPorts));
        p.setProperty("flink.rest.port", Integer.toString(restPort));
        p.setProperty("flink.rpc.port", Integer.toString(rpcPort));
        p.setProperty("flink.blob.port", Integer.toString(blobPort));
        try (Writer w = Files.newBufferedWriter(home.resolve(FILE), StandardCharsets.UTF_8)) {
            p.store(w, "vmres local cluster: the ports chosen at `vmres cluster up`");
        }
    }

    /** The cluster last started in {@code home}; fails when there is none. */
    public static ClusterConfig load(Path home) throws IOException {
        Path f = home.resolve(FILE);
        if (!Files.isRegularFile(f)) {
            throw new IllegalStateException(
                    "no cluster in " + home + " (start one with `vmres cluster up`)");
        }
        Properties p = new Properties();
        try (Reader r = Files.newBufferedReader(f, StandardCharsets.UTF_8)) {
            p.load(r);
        }
        return new ClusterConfig(
                split(p.getProperty("kafka.ports")),
                split(p.getProperty("kafka.controller.ports")),
                Integer.parseInt(p.getProperty("flink.rest.port")),
                Integer.parseInt(p.getProperty("flink.rpc.port")),
                Integer.parseInt(p.getProperty("flink.blob.port")));
    }

    private static String join(List<Integer> ports) {
        return String.join(",", ports.stream().map(String::valueOf).toList());
    }

    private static List<Integer> split(String s) {
        List<Integer> ports = new ArrayList<>();
        for (String x : s.split(",")) {
            ports.add(Integer.parseInt(x.strip()));
        }
        return List.copyOf(ports);
    }
}
