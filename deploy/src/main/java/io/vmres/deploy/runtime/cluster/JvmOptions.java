package io.vmres.deploy.runtime.cluster;

import java.util.List;

/** The JVM flags the cluster's processes share. */
final class JvmOptions {
    private JvmOptions() {}

    /** Flink 2 on Java 17 reflects into these JDK packages (Flink's own env.java.opts.all). */
    static final List<String> FLINK_OPENS =
            List.of(
                    "--add-opens=java.base/java.lang=ALL-UNNAMED",
                    "--add-opens=java.base/java.lang.reflect=ALL-UNNAMED",
                    "--add-opens=java.base/java.net=ALL-UNNAMED",
                    "--add-opens=java.base/java.io=ALL-UNNAMED",
                    "--add-opens=java.base/java.nio=ALL-UNNAMED",
                    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
                    "--add-opens=java.base/java.text=ALL-UNNAMED",
                    "--add-opens=java.base/java.time=ALL-UNNAMED",
                    "--add-opens=java.base/java.util=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.atomic=ALL-UNNAMED",
                    "--add-opens=java.base/java.util.concurrent.locks=ALL-UNNAMED",
                    "--add-exports=java.base/sun.net.util=ALL-UNNAMED",
                    "--add-exports=java.rmi/sun.rmi.registry=ALL-UNNAMED",
                    "--add-exports=java.security.jgss/sun.security.krb5=ALL-UNNAMED");

    /** Every process: G1, and an end on running out of memory rather than a limp. */
    static final List<String> COMMON = List.of("-XX:+UseG1GC", "-XX:+ExitOnOutOfMemoryError");

    /** Log4j 2 writing to {@code logFile} with the cluster's configuration. */
    static List<String> logging(java.nio.file.Path config, java.nio.file.Path logFile) {
        return List.of(
                "-Dlog4j2.configurationFile=" + config,
                "-Dvmres.cluster.log=" + logFile,
                // Flink's web UI shows this file
                "-Dlog.file=" + logFile);
    }

    /** The cluster processes' Log4j 2 configuration: one file per process, INFO. */
    static final String LOG4J2 =
            String.join(
                    "\n",
                    "status = warn",
                    "appender.file.type = File",
                    "appender.file.name = file",
                    "appender.file.fileName = ${sys:vmres.cluster.log}",
                    "appender.file.layout.type = PatternLayout",
                    "appender.file.layout.pattern = %d{ISO8601} %-5level [%t] %c - %msg%n",
                    "rootLogger.level = INFO",
                    "rootLogger.appenderRef.file.ref = file",
                    "logger.pekko.name = org.apache.pekko",
                    "logger.pekko.level = WARN",
                    "");
}
