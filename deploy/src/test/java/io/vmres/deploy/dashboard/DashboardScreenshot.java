package io.vmres.deploy.dashboard;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.vmres.connector.sim.RecordingGenerator;
import io.vmres.engine.Settings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;

/**
 * Takes the screenshot of docs/dashboard.png: a generated recording with host crashes and a rack
 * power loss is replayed for the dashboard and held while the rack's VMs are being restarted. Runs
 * only when asked: {@code mvn -pl deploy -am verify -Dtest=DashboardScreenshot
 * -Dsurefire.failIfNoSpecifiedTests=false -Ddashboard.screenshot=$PWD/docs/dashboard.png}.
 */
@Tag("slow")
class DashboardScreenshot {

    @Test
    void rackFailure(@TempDir Path tmp) throws Exception {
        String target = System.getProperty("dashboard.screenshot");
        assumeTrue(target != null, "screenshot not asked for (-Ddashboard.screenshot=FILE)");
        Path recording = tmp.resolve("rack.jsonl");
        // the first seed whose rack loss comes after most single crashes: a history to show
        for (long seed = 1; ; seed++) {
            RecordingGenerator.Result r =
                    RecordingGenerator.write(
                            recording,
                            new RecordingGenerator.Options(
                                    400,
                                    10,
                                    Duration.ofMinutes(20),
                                    2,
                                    8,
                                    seed,
                                    Duration.ofSeconds(5),
                                    true));
            Map<java.time.Instant, Long> perInstant =
                    r.crashes().stream()
                            .collect(
                                    java.util.stream.Collectors.groupingBy(
                                            RecordingGenerator.Crash::at,
                                            java.util.stream.Collectors.counting()));
            java.time.Instant rack =
                    perInstant.entrySet().stream()
                            .filter(e -> e.getValue() > 1)
                            .findFirst()
                            .orElseThrow()
                            .getKey();
            if (r.crashes().stream().filter(c -> c.at().isBefore(rack)).count() >= 6) {
                break;
            }
        }
        DashboardModel model = new DashboardModel(Settings.DEFAULTS);
        CountDownLatch held = new CountDownLatch(1);
        CountDownLatch release = new CountDownLatch(1);
        long[] seen = {0};
        PacedReplay replay =
                new PacedReplay(model, Double.POSITIVE_INFINITY)
                        .afterInstant(
                                () -> {
                                    if (held.getCount() == 0 || model.version() == seen[0]) {
                                        return;
                                    }
                                    Map<String, Object> delta = model.since(seen[0]);
                                    seen[0] = model.version();
                                    @SuppressWarnings("unchecked")
                                    List<Map<String, Object>> incidents =
                                            (List<Map<String, Object>>) delta.get("incidents");
                                    for (Map<String, Object> i : incidents) {
                                        int total = (int) i.get("vmsTotal");
                                        int done = (int) i.get("vmsRecovered");
                                        if (((List<?>) i.get("hosts")).size() >= 5
                                                && done * 2 >= total
                                                && done < total) {
                                            held.countDown();
                                            try {
                                                release.await(2, TimeUnit.MINUTES);
                                            } catch (InterruptedException e) {
                                                Thread.currentThread().interrupt();
                                            }
                                            return;
                                        }
                                    }
                                });
        ExecutorService pool = Executors.newSingleThreadExecutor();
        try (DashboardServer server = Dashboard.serve(model, "127.0.0.1", 0, null);
                Browser browser = Browser.open(1600, 1400)) {
            Future<?> done = pool.submit(() -> replay.run(recording, tmp.resolve("out"), Map.of()));
            if (!held.await(3, TimeUnit.MINUTES)) {
                done.get();
                throw new AssertionError("the replay never reached the rack's recovery");
            }
            browser.driver.get(server.url());
            browser.await(
                    Duration.ofSeconds(30),
                    d ->
                            d.findElement(By.tagName("body")).getDomAttribute("data-rendered")
                                    != null);
            Thread.sleep(500); // the chart's last frame
            Path png = Path.of(target);
            Files.createDirectories(png.toAbsolutePath().getParent());
            Files.write(png, browser.driver.getScreenshotAs(OutputType.BYTES));
            System.out.println("dashboard: screenshot " + png);
            release.countDown();
            done.get(5, TimeUnit.MINUTES);
        } finally {
            release.countDown();
            pool.shutdownNow();
        }
    }
}
