package io.vmres.deploy.k8s;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.vmres.schema.Topics;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The Kubernetes manifests of {@code deploy/k8s}: every document of every YAML file against the
 * JSON Schema of its kind ({@code deploy/k8s/schemas}: the CRDs of the Flink Kubernetes Operator
 * and Strimzi, and the fields of the core kinds), and what no schema can tell: every vmres topic
 * has its KafkaTopic, the job's entry class exists, every ConfigMap and Secret a pod names is
 * there.
 *
 * <p>Like {@code kubectl apply} (strict field validation, the default), a field a schema does not
 * know is an error, unless the schema keeps unknown fields ({@code
 * x-kubernetes-preserve-unknown-fields}).
 */
class KubernetesManifestsTest {
    /** The manifests, from the module's folder (where the tests run). */
    static final Path K8S = Path.of("k8s");

    /** Secrets that an operator writes, not the manifests: Strimzi's for its cluster and users. */
    static final Set<String> OPERATOR_SECRETS =
            Set.of(
                    "vmres-kafka-cluster-ca-cert",
                    "vmres-job",
                    "vmres-connector-libvirt",
                    "vmres-connector-ipmi",
                    "vmres-power-poller",
                    "vmres-operator",
                    "vmres-dashboard");

    private static final ObjectMapper YAML = new YAMLMapper();
    private static final ObjectMapper JSON = new ObjectMapper();

    /** The schema file of each apiVersion and kind. */
    private static final Map<String, String> SCHEMAS =
            Map.of(
                    "flink.apache.org/v1beta1 FlinkDeployment", "flinkdeployment.json",
                    "kafka.strimzi.io/v1 Kafka", "kafka.json",
                    "kafka.strimzi.io/v1 KafkaNodePool", "kafkanodepool.json",
                    "kafka.strimzi.io/v1 KafkaTopic", "kafkatopic.json",
                    "kafka.strimzi.io/v1 KafkaUser", "kafkauser.json",
                    "apps/v1 Deployment", "deployment.json",
                    "v1 Service", "service.json",
                    "v1 ConfigMap", "configmap.json",
                    "v1 Secret", "secret.json",
                    "kustomize.config.k8s.io/v1beta1 Kustomization", "kustomization.json");

    private static final Map<String, JsonSchema> LOADED = new HashMap<>();

    /** One document of a YAML file. */
    record Doc(String where, JsonNode node) {
        String kind() {
            return node.path("kind").asText();
        }

        String name() {
            return node.path("metadata").path("name").asText();
        }
    }

    @Test
    void everyDocumentMatchesTheSchemaOfItsKind() {
        List<Doc> docs = load(K8S);
        List<String> errors = new ArrayList<>();
        for (Doc d : docs) {
            errors.addAll(schemaErrors(d));
        }
        assertThat(errors).isEmpty();
        assertThat(docs.stream().map(Doc::kind).distinct())
                .containsExactlyInAnyOrder(
                        "FlinkDeployment",
                        "Kafka",
                        "KafkaNodePool",
                        "KafkaTopic",
                        "KafkaUser",
                        "Deployment",
                        "Service",
                        "ConfigMap",
                        "Secret",
                        "Kustomization");
    }

    @Test
    void everyReferenceResolves() {
        assertThat(referenceErrors(load(K8S))).isEmpty();
    }

    @Test
    void theJobRunsAsDocumented() {
        Doc job = only(load(K8S), "FlinkDeployment");
        JsonNode spec = job.node().path("spec");
        assertThat(spec.path("flinkVersion").asText()).isEqualTo("v2_2");
        assertThat(spec.path("job").path("upgradeMode").asText()).isEqualTo("savepoint");
        JsonNode conf = spec.path("flinkConfiguration");
        assertThat(conf.path("state.backend.type").asText()).isEqualTo("rocksdb");
        assertThat(conf.path("execution.checkpointing.incremental").asText()).isEqualTo("true");
        assertThat(conf.path("execution.checkpointing.interval").asText()).isEqualTo("1s");
        assertThat(conf.path("execution.checkpointing.mode").asText()).isEqualTo("EXACTLY_ONCE");
        assertThat(conf.path("restart-strategy.type").asText()).isEqualTo("exponential-delay");
        // the job sets its own restart strategy (over the cluster's): the same as the manifest's
        java.util.Map<String, String> restart = new java.util.TreeMap<>();
        conf.fields()
                .forEachRemaining(
                        f -> {
                            if (f.getKey().startsWith("restart-strategy.")) {
                                restart.put(f.getKey(), f.getValue().asText());
                            }
                        });
        org.apache.flink.configuration.Configuration manifest =
                org.apache.flink.configuration.Configuration.fromMap(restart);
        org.apache.flink.configuration.Configuration ownOfTheJob =
                io.vmres.job.VmresJob.jobConfiguration(java.time.Duration.ofSeconds(1));
        for (var option :
                java.util.List.of(
                        org.apache.flink.configuration.RestartStrategyOptions
                                .RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
                        org.apache.flink.configuration.RestartStrategyOptions
                                .RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
                        org.apache.flink.configuration.RestartStrategyOptions
                                .RESTART_STRATEGY_EXPONENTIAL_DELAY_RESET_BACKOFF_THRESHOLD)) {
            assertThat(manifest.get(option)).as(option.key()).isEqualTo(ownOfTheJob.get(option));
        }
        for (var option :
                java.util.List.of(
                        org.apache.flink.configuration.RestartStrategyOptions
                                .RESTART_STRATEGY_EXPONENTIAL_DELAY_BACKOFF_MULTIPLIER,
                        org.apache.flink.configuration.RestartStrategyOptions
                                .RESTART_STRATEGY_EXPONENTIAL_DELAY_JITTER_FACTOR)) {
            assertThat(manifest.get(option)).as(option.key()).isEqualTo(ownOfTheJob.get(option));
        }
        assertThat(conf.path("high-availability.type").asText()).isEqualTo("kubernetes");
        assertThat(conf.path("heartbeat.timeout").asText()).isEqualTo("10000");
        assertThat(conf.path("heartbeat.interval").asText()).isEqualTo("2000");
        assertThat(conf.path("metrics.reporter.prom.port").asText()).isEqualTo("9249");
        assertThat(
                        spec.path("podTemplate")
                                .path("metadata")
                                .path("annotations")
                                .path("prometheus.io/port")
                                .asText())
                .isEqualTo("9249");
        List<String> args = new ArrayList<>();
        spec.path("job").path("args").forEach(a -> args.add(a.asText()));
        assertThat(args)
                .contains(
                        "--bootstrap",
                        "--kafka-properties",
                        "--group-id",
                        "--transactional-id-prefix",
                        "--signing-keys",
                        "--set");
    }

    @Test
    void theTopicsAreConfiguredAsTheirRolesNeed() {
        Map<String, JsonNode> topics = new HashMap<>();
        for (Doc d : load(K8S)) {
            if (d.kind().equals("KafkaTopic")) {
                topics.put(topicName(d), d.node().path("spec"));
            }
        }
        for (String t : topics.keySet()) {
            JsonNode spec = topics.get(t);
            assertThat(spec.path("replicas").asInt()).as(t).isEqualTo(3);
            assertThat(spec.path("config").path("min.insync.replicas").asInt()).as(t).isEqualTo(2);
            assertThat(spec.path("config").path("message.timestamp.type").asText())
                    .as(t)
                    .isEqualTo(Topics.INPUTS.contains(t) ? "LogAppendTime" : "");
        }
        assertThat(
                        topics.get(Topics.CONNECTOR_LEDGER)
                                .path("config")
                                .path("cleanup.policy")
                                .asText())
                .isEqualTo("compact");
    }

    @Test
    void aBrokenDocumentIsRefused() {
        Doc job = only(load(K8S), "FlinkDeployment");
        ObjectNode wrongValue = job.node().deepCopy();
        ((ObjectNode) wrongValue.path("spec").path("job")).put("upgradeMode", "savepoints");
        assertThat(schemaErrors(new Doc("wrong value", wrongValue)))
                .anySatisfy(e -> assertThat(e).contains("upgradeMode"));

        ObjectNode unknownField = job.node().deepCopy();
        ((ObjectNode) unknownField.path("spec")).set("jobb", unknownField.path("spec").path("job"));
        assertThat(schemaErrors(new Doc("unknown field", unknownField)))
                .anySatisfy(e -> assertThat(e).contains("jobb"));

        List<Doc> wrong =
                parse(
                        "inline",
                        """
                        apiVersion: kafka.strimzi.io/v1
                        kind: KafkaTopic
                        metadata:
                          name: vmres-alerts
                        spec:
                          topicName: vmres.alerts
                          partitions: 0
                          replicas: "3"
                        ---
                        apiVersion: apps/v1
                        kind: Deployment
                        metadata:
                          name: no-image
                        spec:
                          selector:
                            matchLabels: {app: x}
                          template:
                            metadata:
                              labels: {app: x}
                            spec:
                              containers:
                                - name: c
                        ---
                        apiVersion: v1
                        kind: Pod
                        metadata:
                          name: not-a-kind-of-vmres
                        """);
        assertThat(schemaErrors(wrong.get(0)))
                .hasSize(2)
                .anySatisfy(e -> assertThat(e).contains("partitions"))
                .anySatisfy(e -> assertThat(e).contains("replicas"));
        List<Doc> more = wrong.subList(1, 3);
        assertThat(schemaErrors(more.get(0))).anySatisfy(e -> assertThat(e).contains("image"));
        assertThat(schemaErrors(more.get(1))).containsExactly("inline#2: no schema for v1 Pod");
    }

    @Test
    void aBrokenReferenceIsRefused() {
        List<Doc> docs = new ArrayList<>(load(K8S));
        docs.removeIf(d -> d.kind().equals("KafkaTopic") && topicName(d).equals(Topics.HEARTBEAT));
        docs.removeIf(
                d ->
                        d.kind().equals("Secret")
                                && d.name().equals("vmres-connector-ipmi-pool-a-bmc"));
        Doc job = only(docs, "FlinkDeployment");
        ObjectNode wrongClass = job.node().deepCopy();
        ((ObjectNode) wrongClass.path("spec").path("job"))
                .put("entryClass", "io.vmres.job.NoSuchJob");
        docs.set(docs.indexOf(job), new Doc(job.where(), wrongClass));

        assertThat(referenceErrors(docs))
                .containsExactlyInAnyOrder(
                        "no KafkaTopic for topic " + Topics.HEARTBEAT,
                        "FlinkDeployment vmres: entry class io.vmres.job.NoSuchJob not found",
                        "Deployment vmres-connector-ipmi-pool-a: no Secret"
                                + " vmres-connector-ipmi-pool-a-bmc");
    }

    // ---- the checks

    /** What is wrong with one document against the schema of its kind, each with its place. */
    static List<String> schemaErrors(Doc d) {
        String key = d.node().path("apiVersion").asText() + " " + d.kind();
        String file = SCHEMAS.get(key);
        if (file == null) {
            return List.of(d.where() + ": no schema for " + key);
        }
        List<String> errors = new ArrayList<>();
        for (ValidationMessage m : schema(file).validate(d.node())) {
            errors.add(d.where() + " " + d.kind() + " " + d.name() + ": " + m.getMessage());
        }
        return errors;
    }

    /** The cross-references no schema tells. */
    static List<String> referenceErrors(List<Doc> docs) {
        List<String> errors = new ArrayList<>();
        Set<String> topics = new TreeSet<>();
        Set<String> configMaps = new TreeSet<>();
        Set<String> secrets = new TreeSet<>(OPERATOR_SECRETS);
        for (Doc d : docs) {
            switch (d.kind()) {
                case "KafkaTopic" -> topics.add(topicName(d));
                case "ConfigMap" -> configMaps.add(d.name());
                case "Secret" -> secrets.add(d.name());
                default -> {}
            }
        }
        List<String> wanted = new ArrayList<>(Topics.ALL);
        wanted.add(Topics.CONNECTOR_LEDGER);
        for (String t : wanted) {
            if (!topics.contains(t)) {
                errors.add("no KafkaTopic for topic " + t);
            }
        }
        for (Doc d : docs) {
            JsonNode pod;
            if (d.kind().equals("FlinkDeployment")) {
                String entry = d.node().path("spec").path("job").path("entryClass").asText();
                if (!hasMain(entry)) {
                    errors.add(
                            "FlinkDeployment "
                                    + d.name()
                                    + ": entry class "
                                    + entry
                                    + " not found");
                }
                pod = d.node().path("spec").path("podTemplate").path("spec");
            } else if (d.kind().equals("Deployment")) {
                pod = d.node().path("spec").path("template").path("spec");
            } else {
                continue;
            }
            String who = d.kind() + " " + d.name();
            for (JsonNode v : pod.path("volumes")) {
                refer(errors, who, "ConfigMap", v.path("configMap").path("name"), configMaps);
                refer(errors, who, "Secret", v.path("secret").path("secretName"), secrets);
            }
            for (JsonNode c : pod.path("containers")) {
                for (JsonNode e : c.path("env")) {
                    JsonNode from = e.path("valueFrom");
                    refer(errors, who, "Secret", from.path("secretKeyRef").path("name"), secrets);
                    refer(
                            errors,
                            who,
                            "ConfigMap",
                            from.path("configMapKeyRef").path("name"),
                            configMaps);
                }
            }
        }
        return errors;
    }

    private static void refer(
            List<String> errors, String who, String kind, JsonNode name, Set<String> known) {
        if (!name.isMissingNode() && !known.contains(name.asText())) {
            errors.add(who + ": no " + kind + " " + name.asText());
        }
    }

    private static boolean hasMain(String className) {
        try {
            Method main = Class.forName(className).getMethod("main", String[].class);
            return Modifier.isStatic(main.getModifiers());
        } catch (ClassNotFoundException | NoSuchMethodException e) {
            return false;
        }
    }

    private static String topicName(Doc d) {
        JsonNode name = d.node().path("spec").path("topicName");
        return name.isMissingNode() ? d.name() : name.asText();
    }

    private static Doc only(List<Doc> docs, String kind) {
        List<Doc> found = docs.stream().filter(d -> d.kind().equals(kind)).toList();
        assertThat(found).hasSize(1);
        return found.get(0);
    }

    // ---- reading

    /** Every document of every YAML file under {@code dir} but the schemas' folder. */
    static List<Doc> load(Path dir) {
        List<Doc> docs = new ArrayList<>();
        try (Stream<Path> files = Files.walk(dir)) {
            for (Path f : files.sorted().toList()) {
                String name = f.getFileName().toString();
                if (name.endsWith(".yaml") || name.endsWith(".yml")) {
                    docs.addAll(parse(dir.relativize(f).toString(), Files.readString(f)));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        assertThat(docs).isNotEmpty();
        return docs;
    }

    /** The documents of one YAML text; a document of comments alone is none. */
    static List<Doc> parse(String file, String yaml) {
        List<Doc> docs = new ArrayList<>();
        try (var parser = new YAMLFactory().createParser(yaml)) {
            Iterator<JsonNode> it = YAML.readValues(parser, JsonNode.class);
            int i = 0;
            while (it.hasNext()) {
                JsonNode n = it.next();
                if (n != null && !n.isNull() && !n.isMissingNode()) {
                    docs.add(new Doc(file + "#" + i, n));
                }
                i++;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(file, e);
        }
        return docs;
    }

    private static synchronized JsonSchema schema(String file) {
        return LOADED.computeIfAbsent(
                file,
                f -> {
                    try {
                        JsonNode s = JSON.readTree(K8S.resolve("schemas").resolve(f).toFile());
                        // every object has these, whether its CRD's schema names them or not
                        ObjectNode root = (ObjectNode) s.path("properties");
                        for (String field : List.of("apiVersion", "kind", "metadata")) {
                            if (!root.has(field)) {
                                root.putObject(field)
                                        .put(
                                                "type",
                                                field.equals("metadata") ? "object" : "string");
                            }
                        }
                        strict(s);
                        return FACTORY.getSchema(s);
                    } catch (IOException e) {
                        throw new UncheckedIOException(e);
                    }
                });
    }

    /**
     * Makes a Kubernetes structural schema refuse unknown fields, as the API server's strict field
     * validation does: every object schema with properties and without its own rule for others
     * (additionalProperties, x-kubernetes-preserve-unknown-fields) gets {@code
     * additionalProperties: false}.
     */
    static void strict(JsonNode schema) {
        if (schema instanceof ObjectNode o) {
            if (o.has("properties")
                    && !o.has("additionalProperties")
                    && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
                o.put("additionalProperties", false);
            }
        }
        for (JsonNode child : schema) {
            strict(child);
        }
    }

    /** JSON Schema draft 4 (as OpenAPI v3 schemas), knowing Kubernetes' own keywords. */
    private static final JsonSchemaFactory FACTORY;

    static {
        JsonMetaSchema k8s =
                JsonMetaSchema.builder(JsonMetaSchema.getV4().getIri(), JsonMetaSchema.getV4())
                        .keywords(
                                Stream.of(
                                                "x-kubernetes-preserve-unknown-fields",
                                                "x-kubernetes-int-or-string",
                                                "x-kubernetes-validations",
                                                "x-kubernetes-list-type",
                                                "x-kubernetes-list-map-keys",
                                                "x-kubernetes-map-type",
                                                "x-kubernetes-embedded-resource",
                                                "nullable")
                                        .map(NonValidationKeyword::new)
                                        .map(k -> (com.networknt.schema.Keyword) k)
                                        .toList())
                        .build();
        FACTORY =
                JsonSchemaFactory.builder(JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4))
                        .metaSchema(k8s)
                        .defaultMetaSchemaIri(k8s.getIri())
                        .build();
    }
}
