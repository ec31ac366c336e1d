package io.vmres.deploy.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Properties;
import picocli.CommandLine.IVersionProvider;

/** {@code vmres --version}: the build's version and those of Flink, Kafka and Java under it. */
public final class VersionProvider implements IVersionProvider {

    @Override
    public String[] getVersion() {
        Properties p = new Properties();
        // Written by the build (resource filtering), so it is right without a jar manifest too.
        try (InputStream in = VersionProvider.class.getResourceAsStream("version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the version of this build", e);
        }
        return new String[] {
            "vmres " + p.getProperty("vmres.version", "(unknown version)"),
            "Flink "
                    + p.getProperty("flink.version", "?")
                    + ", Kafka "
                    + p.getProperty("kafka.version", "?")
                    + ", Java "
                    + System.getProperty("java.version")
                    + " ("
                    + System.getProperty("java.vm.name")
                    + ")"
        };
    }
}
