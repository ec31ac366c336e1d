package io.vmres.deploy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vmres.connector.sim.RecordingGenerator;
import io.vmres.deploy.runtime.EmbeddedKafka;
import io.vmres.deploy.whatif.WhatIfQuestion;
import io.vmres.engine.Settings;
import io.vmres.engine.Times;
import io.vmres.engine.whatif.Failure;
import io.vmres.engine.whatif.WhatIfAnswer;
import io.vmres.schema.AvroCodec;
import io.vmres.schema.KafkaEndpoint;
import io.vmres.schema.Topics;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.support.ui.Select;

/**
 * The page in a real browser: its badge says what feeds it (no broker, a broker with no job, a live
 * job, a replay and its end), it shows power domains and what their readings proved, a PARTIAL
 * incident's recovery time as {@code summary.json} has it, and it works under its
 * Content-Security-Policy without one violation.
 */
@Tag("slow")
class DashboardPageITCase {
    @TempDir Path dir;

    private static String badge(WebDriver d) {
        return d.findElement(By.id("conn")).getDomAttribute("data-conn");
    }

    private static void awaitBadge(Browser b, String state, String text) {
        b.await(Duration.ofSeconds(40), d -> state.equals(badge(d)));
        assertThat(b.driver.findElement(By.id("conn")).getText()).isEqualTo(text);
    }

    @Test
    void theBadgeSaysWhetherTheBrokerAnswersAJobWritesOrTheReplayEnded() throws Exception {
        try (Browser browser = Browser.open(1400, 900)) {
            browser.recordCspViolations();
            try (Dashboard none =
                    Dashboard.start(
                            KafkaEndpoint.of("127.0.0.1:1"),
                            DashboardServer.Options.of("127.0.0.1", 0, null),
                            Settings.DEFAULTS,
                            s -> {})) {
                browser.driver.get(none.url());
                awaitBadge(browser, "unreachable", "broker unreachable");
                assertThat(browser.driver.findElement(By.id("status-detail")).getText())
                        .contains("127.0.0.1:1 does not answer");
            }
            try (EmbeddedKafka kafka = EmbeddedKafka.start();
                    Dashboard dashboard =
                            Dashboard.start(
                                    kafka.endpoint(),
                                    DashboardServer.Options.of("127.0.0.1", 0, null),
                                    Settings.DEFAULTS,
                                    s -> {})) {
                browser.driver.get(dashboard.url());
                awaitBadge(browser, "no-job", "no job writing");
                assertThat(browser.driver.findElement(By.id("status-topics")).getText())
                        .contains("fleet-state no record");
                try (KafkaProducer<byte[], byte[]> producer =
                        new KafkaProducer<>(
                                Map.of(
                                        ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                                        kafka.bootstrapServers()),
                                new ByteArraySerializer(),
                                new ByteArraySerializer())) {
                    producer.send(
                            new ProducerRecord<>(
                                    Topics.FLEET_STATE,
                                    "h1".getBytes(StandardCharsets.UTF_8),
                                    new AvroCodec()
                                            .encode(
                                                    Records.host(
                                                            "h1", "c1", "r1", "healthy", 3, 0))));
                }
                awaitBadge(browser, "live", "live");
                browser.await(
                        Duration.ofSeconds(10),
                        d -> !d.findElements(By.cssSelector(".tile[data-host=h1]")).isEmpty());
                assertThat(browser.driver.findElement(By.id("status-topics")).getText())
                        .containsPattern("fleet-state \\d+ s ago");
                assertThat(browser.cspViolations()).isEmpty();
            }

            // a replay: replaying while it runs, then ended, never live
            DashboardModel model = new DashboardModel(Settings.DEFAULTS);
            CountDownLatch seen = new CountDownLatch(1);
            ExecutorService pool = Executors.newSingleThreadExecutor();
            try (DashboardServer server = Dashboard.serve(model, "127.0.0.1", 0, null)) {
                Path recording = PowerRecording.write(dir);
                Future<?> replay =
                        pool.submit(
                                () ->
                                        new PacedReplay(model, Double.POSITIVE_INFINITY)
                                                .afterInstant(
                                                        () -> {
                                                            try {
                                                                seen.await(60, TimeUnit.SECONDS);
                                                            } catch (InterruptedException e) {
                                                                Thread.currentThread().interrupt();
                                                            }
                                                        })
                                                .run(recording, dir.resolve("out"), Map.of()));
                browser.driver.get(server.url());
                awaitBadge(browser, "replaying", "replaying");
                seen.countDown();
                replay.get(60, TimeUnit.SECONDS);
                awaitBadge(browser, "replay-ended", "replay ended");
                assertThat(browser.driver.findElement(By.id("status-detail")).getText())
                        .contains("is over");
                assertThat(browser.cspViolations()).isEmpty();
            } finally {
                pool.shutdownNow();
            }
        }
    }

    @Test
    void powerDomainsAndAPartialIncidentsRecoveryTimeUnderTheCsp() throws Exception {
        DashboardModel model = new DashboardModel(Settings.DEFAULTS);
        Path out = dir.resolve("out");
        try (DashboardServer server = Dashboard.serve(model, "127.0.0.1", 0, null);
                Browser browser = Browser.open(1400, 1000)) {
            browser.recordCspViolations();
            browser.driver.get(server.url());
            new PacedReplay(model, Double.POSITIVE_INFINITY)
                    .run(PowerRecording.write(dir), out, Map.of());
            awaitBadge(browser, "replay-ended", "replay ended");
            JsonNode summary = new ObjectMapper().readTree(out.resolve("summary.json").toFile());

            // each domain's latest reading, and what it proved
            By pd1 = By.cssSelector("#power tr[data-domain=pd1]");
            browser.await(Duration.ofSeconds(10), d -> !d.findElements(pd1).isEmpty());
            assertThat(browser.driver.findElement(pd1).getDomAttribute("data-state"))
                    .isEqualTo("off");
            assertThat(
                            browser.driver
                                    .findElement(By.cssSelector("#power tr[data-domain=pd4]"))
                                    .getDomAttribute("data-state"))
                    .isEqualTo("unknown");
            assertThat(
                            browser.driver
                                    .findElement(By.cssSelector("#power tr[data-domain=pd3]"))
                                    .getDomAttribute("data-state"))
                    .isEqualTo("on");
            var proof1 =
                    browser.driver.findElement(By.cssSelector("#power tr[data-domain=pd1] .proof"));
            assertThat(proof1.getDomAttribute("data-proved-off")).isEqualTo("h1 h2");
            assertThat(proof1.getText()).contains("proved off h1, h2").contains("HOST_FAILURE");
            var proof2 =
                    browser.driver.findElement(By.cssSelector("#power tr[data-domain=pd2] .proof"));
            assertThat(proof2.getDomAttribute("data-confirmed")).isEqualTo("h3");
            assertThat(proof2.getText()).contains("confirmed h3").contains("NEEDS_CONFIRMATION");
            var proof5 =
                    browser.driver.findElement(By.cssSelector("#power tr[data-domain=pd5] .proof"));
            assertThat(proof5.getText()).contains("took out of the outage g1").contains("CLOSED");
            assertThat(
                            browser.driver
                                    .findElement(By.cssSelector("#power tr[data-domain=pd1] .age"))
                                    .getText())
                    .endsWith("ago");

            // the PARTIAL incident's recovery time is summary.json's recoveryS
            JsonNode partial = null;
            for (JsonNode inc : summary.get("incidents")) {
                if (inc.get("state").asText().equals("PARTIAL")) {
                    partial = inc;
                }
            }
            assertThat(partial).isNotNull();
            String id = partial.get("incidentId").asText();
            String shown =
                    browser.driver
                            .findElement(
                                    By.cssSelector(
                                            ".incident[data-incident='" + id + "'] .progress"))
                            .getText();
            assertThat(shown)
                    .contains(
                            String.format(
                                    java.util.Locale.ROOT,
                                    "recovery time %.1f s",
                                    partial.get("recoveryS").asDouble()))
                    .contains("recovery time 42.0 s");
            assertThat(browser.driver.findElement(By.id("recovery-summary")).getText())
                    .contains("incidents");

            // not one violation of the policy; and the policy does block an inline script
            assertThat(browser.cspViolations()).isEmpty();
            Object ran =
                    browser.driver.executeScript(
                            "const s = document.createElement('script');"
                                    + " s.textContent = 'window.inlineRan = true;';"
                                    + " document.body.append(s); return window.inlineRan === true;");
            assertThat(ran).isEqualTo(false);
            List<String> after =
                    browser.await(
                            Duration.ofSeconds(5),
                            d ->
                                    browser.cspViolations().isEmpty()
                                            ? null
                                            : browser.cspViolations());
            assertThat(after).singleElement().asString().startsWith("script-src");
        }
    }

    @Test
    void theOperatorAsksWhatIfARackOrAPowerDomainFailsAndSeesWhatVmresWhatifAnswers()
            throws Exception {
        Path recording = dir.resolve("fleet.jsonl");
        RecordingGenerator.write(
                recording,
                new RecordingGenerator.Options(
                        60, 10, Duration.ofMinutes(3), 1, 0, 11, Duration.ofSeconds(5), false));
        DashboardModel model = new DashboardModel(Settings.DEFAULTS);
        try (DashboardServer server = Dashboard.serve(model, "127.0.0.1", 0, null);
                Browser browser = Browser.open(1400, 1000)) {
            browser.recordCspViolations();
            new PacedReplay(model, Double.POSITIVE_INFINITY)
                    .run(recording, dir.resolve("out"), Map.of());
            browser.driver.get(server.url());
            awaitBadge(browser, "replay-ended", "replay ended");

            // a click on rack r03's name in the fleet asks about it
            By rack = By.cssSelector(".rack[data-rack=r03] > .label");
            browser.await(Duration.ofSeconds(10), d -> !d.findElements(rack).isEmpty());
            browser.driver.findElement(rack).click();
            assertAnswerIsWhatIfs(browser, recording, "rack:r03");

            // the list and the button ask about a power domain
            browser.await(
                    Duration.ofSeconds(10),
                    d ->
                            !d.findElements(
                                            By.cssSelector(
                                                    "#whatif-choice option[value='pd:pd02']"))
                                    .isEmpty());
            new Select(browser.driver.findElement(By.id("whatif-choice"))).selectByValue("pd:pd02");
            browser.driver.findElement(By.id("whatif-ask")).click();
            assertAnswerIsWhatIfs(browser, recording, "pd:pd02");

            assertThat(browser.cspViolations()).isEmpty();
        }
    }

    /** The page's answer to {@code asked}: the targets, the unplaced and the recovery time. */
    private static void assertAnswerIsWhatIfs(Browser browser, Path recording, String asked)
            throws Exception {
        By answer = By.id("whatif-answer");
        browser.await(
                Duration.ofSeconds(20),
                d -> {
                    WebElement a = d.findElement(answer);
                    return asked.equals(a.getDomAttribute("data-asked"))
                            && "answered".equals(a.getDomAttribute("data-state"));
                });
        WebElement box = browser.driver.findElement(answer);
        long at = Times.parse(box.getDomAttribute("data-at"));
        // vmres whatif on the recording at the same time
        WhatIfAnswer expected =
                WhatIfQuestion.ask(recording, at, null, List.of(Failure.parse(asked))).answer();
        assertThat(expected.vmsRestarted()).isPositive();

        Map<String, String> targets = new TreeMap<>();
        for (WebElement row : box.findElements(By.cssSelector("table.restarts tr[data-vm]"))) {
            targets.put(row.getDomAttribute("data-vm"), row.getDomAttribute("data-to"));
        }
        assertThat(targets).isEqualTo(WhatIfQuestion.targets(expected));

        Map<String, String> unplaced = new TreeMap<>();
        for (WebElement row : box.findElements(By.cssSelector("table.unplaced tr[data-vm]"))) {
            unplaced.put(row.getDomAttribute("data-vm"), row.getDomAttribute("data-reason"));
        }
        Map<String, String> expectedUnplaced = new TreeMap<>();
        expected.clusters()
                .forEach(c -> c.unplaced().forEach(u -> expectedUnplaced.put(u.vm(), u.reason())));
        assertThat(unplaced).isEqualTo(expectedUnplaced);
        assertThat(box.getDomAttribute("data-unplaced"))
                .isEqualTo(String.valueOf(expected.vmsUnplaced()));

        assertThat(Double.parseDouble(box.getDomAttribute("data-recovery-s")))
                .isEqualTo(expected.recoveryS());
        assertThat(box.findElement(By.cssSelector(".lead")).getText())
                .contains(
                        String.format(
                                java.util.Locale.ROOT,
                                "predicted recovery %.1f s",
                                expected.recoveryS()));
        System.out.printf(
                java.util.Locale.ROOT,
                "what if %s: %d VMs restarted, %d unplaced, recovery %.1f s (at %s)%n",
                asked,
                expected.vmsRestarted(),
                expected.vmsUnplaced(),
                expected.recoveryS(),
                Times.format(at));
    }
}
