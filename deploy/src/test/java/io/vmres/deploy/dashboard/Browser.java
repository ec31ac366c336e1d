package io.vmres.deploy.dashboard;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * Debian's headless chromium driven through its chromedriver, for the dashboard's browser tests.
 * Where neither is installed ({@code bin/setup --with browser} installs them), the test is skipped
 * with a message saying so.
 */
final class Browser implements AutoCloseable {
    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

    final ChromeDriver driver;
    private final Path profile;

    private Browser(ChromeDriver driver, Path profile) {
        this.driver = driver;
        this.profile = profile;
    }

    /** A fresh headless chromium, or the test skipped when there is none. */
    static Browser open(int width, int height) throws IOException {
        assumeTrue(
                Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER),
                "no browser: "
                        + CHROMIUM
                        + " and "
                        + CHROMEDRIVER
                        + " are needed (Debian's chromium and chromium-driver: bin/setup --with browser)");
        Path profile = Files.createTempDirectory("vmres-chromium-");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments(
                "--headless=new",
                "--no-sandbox", // the tests may run as root
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--user-data-dir=" + profile,
                "--window-size=" + width + "," + height,
                "--hide-scrollbars");
        ChromeDriverService service =
                new ChromeDriverService.Builder()
                        .usingDriverExecutable(CHROMEDRIVER.toFile())
                        .build();
        return new Browser(new ChromeDriver(service, options), profile);
    }

    /**
     * From the next page on, every Content-Security-Policy violation of the page is kept in {@code
     * window.vmresCsp}: a listener the browser installs before any script of the page runs (it is
     * no script of the page, so the policy does not apply to it).
     */
    void recordCspViolations() {
        driver.executeCdpCommand(
                "Page.addScriptToEvaluateOnNewDocument",
                Map.of(
                        "source",
                        "window.vmresCsp = [];"
                                + "document.addEventListener('securitypolicyviolation', e =>"
                                + " window.vmresCsp.push(e.violatedDirective + ' ' + e.blockedURI));"));
    }

    /** The violations recorded since the page loaded (see {@link #recordCspViolations}). */
    @SuppressWarnings("unchecked")
    List<String> cspViolations() {
        return (List<String>) driver.executeScript("return window.vmresCsp;");
    }

    /** Waits up to {@code timeout} for {@code condition} to be true or non-null in the page. */
    <T> T await(Duration timeout, Function<WebDriver, T> condition) {
        // the page re-renders its lists as updates come: an element found may be gone when read
        return new WebDriverWait(driver, timeout, Duration.ofMillis(200))
                .ignoring(StaleElementReferenceException.class)
                .until(condition);
    }

    @Override
    public void close() throws IOException {
        try {
            driver.quit();
        } finally {
            try (var files = Files.walk(profile)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
            }
        }
    }
}
