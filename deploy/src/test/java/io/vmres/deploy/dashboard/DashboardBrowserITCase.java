package io.vmres.deploy.dashboard;

import static org.assertj.core.api.Assertions.assertThat;

import io.vmres.engine.Settings;
import io.vmres.schema.Action;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;

/** The page in a real browser with a fleet of 2,000 hosts: it renders them all, and how fast. */
@Tag("slow")
class DashboardBrowserITCase {

    @Test
    void twoThousandHostsRenderAndTheTimeIsMeasuredInThePage() throws Exception {
        DashboardModel model = new DashboardModel(Settings.DEFAULTS);
        int n = 0;
        for (int c = 1; c <= 2; c++) {
            for (int r = 1; r <= 50; r++) {
                for (int h = 1; h <= 20; h++) {
                    n++;
                    String state =
                            c == 1 && r == 7 ? "failed" : n % 97 == 0 ? "draining" : "healthy";
                    model.apply(
                            Records.host(
                                    String.format("h%04d", n),
                                    "c" + c,
                                    String.format("r%02d", r),
                                    state,
                                    8 + n % 5,
                                    0));
                }
            }
        }
        model.apply(
                Records.incident("inc-c1-0001", "RECOVERING", List.of("h0121", "h0122"), "{}", 30));
        model.apply(
                Records.command(
                        "k1", "inc-c1-0001", Action.RESTART_VM, "h0121", "h0001", "v1", 31));
        try (DashboardServer server = Dashboard.serve(model, "127.0.0.1", 0, null);
                Browser browser = Browser.open(1600, 1000)) {
            browser.driver.get(server.url());
            browser.await(
                    Duration.ofSeconds(60),
                    d ->
                            "2000"
                                    .equals(
                                            d.findElement(By.tagName("body"))
                                                    .getDomAttribute("data-rendered")));
            @SuppressWarnings("unchecked")
            Map<String, Object> render =
                    (Map<String, Object>)
                            browser.driver.executeScript("return window.vmresRender;");
            System.out.printf(
                    "dashboard: %s hosts rendered in %.0f ms from the first update to the next painted"
                            + " frame (%.0f ms from navigation), headless chromium%n",
                    render.get("hosts"),
                    ((Number) render.get("ms")).doubleValue(),
                    ((Number) render.get("sinceNavigationMs")).doubleValue());
            assertThat(browser.driver.findElements(By.cssSelector(".tile"))).hasSize(2000);
            assertThat(browser.driver.findElements(By.cssSelector(".tile[data-state=failed]")))
                    .hasSize(20);
            assertThat(browser.driver.findElements(By.cssSelector(".rack.hit"))).hasSize(1);
            assertThat(browser.driver.findElement(By.id("legend")).getText()).contains("failed 20");
            assertThat(
                            browser.driver
                                    .findElement(
                                            By.cssSelector(".incident[data-incident=inc-c1-0001]"))
                                    .getDomAttribute("data-state"))
                    .isEqualTo("RECOVERING");

            // a change after the first render reaches the page as an update, not a reload
            browser.driver.executeScript("window.sameDocument = true;");
            model.apply(Records.host("h0500", "c1", "r25", "fenced", 0, 40));
            browser.await(
                    Duration.ofSeconds(10),
                    d ->
                            "fenced"
                                    .equals(
                                            d.findElement(By.cssSelector(".tile[data-host=h0500]"))
                                                    .getDomAttribute("data-state")));
            assertThat(browser.driver.executeScript("return window.sameDocument;")).isEqualTo(true);
        }
    }
}
