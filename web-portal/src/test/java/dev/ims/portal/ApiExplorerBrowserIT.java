package dev.ims.portal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.portal.apidoc.OpenApiContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.logging.Level;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.WebDriverWait;
import tools.jackson.databind.JsonNode;

/**
 * The API explorer in a real headless Chromium (Debian's {@code chromium} + {@code chromium-driver}, never downloaded),
 * under the portal's unchanged Content-Security-Policy: signed in, {@code /api-docs} renders one Swagger UI block per
 * operation of the document, and the browser reports no CSP refusal. Mandatory when {@code CI=true}; elsewhere it skips
 * when no Chromium is installed.
 */
class ApiExplorerBrowserIT {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");
    static final Set<String> METHODS = Set.of("get", "put", "post", "delete", "patch");

    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        boolean installed = Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER);
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but " + CHROMIUM + " or " + DRIVER + " is missing");
        }
        Assumptions.assumeTrue(installed, "no Chromium here");
        PortalIT.start();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--window-size=1280,900");
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(), options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void explorer_rendersEveryOperation_underThePortalsCsp() {
        String base = "http://127.0.0.1:" + PortalIT.port;
        browser.get(base + "/login?next=/api-docs");
        browser.findElement(By.id("username")).sendKeys("admin");
        browser.findElement(By.id("password")).sendKeys(PortalIT.ADMIN_PASSWORD);
        browser.findElement(By.id("login")).click();
        new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/api-docs"));

        // Swagger UI shows an operation once under each of its tags.
        int blocks = 0;
        for (Map.Entry<String, JsonNode> path : OpenApiContract.portal().document().path("paths").properties()) {
            for (Map.Entry<String, JsonNode> op : path.getValue().properties()) {
                if (METHODS.contains(op.getKey())) {
                    blocks += Math.max(1, op.getValue().path("tags").size());
                }
            }
        }
        int expected = blocks;
        try {
            new WebDriverWait(browser, Duration.ofSeconds(30)).until(d -> d.findElements(By.cssSelector(".opblock")).size() == expected);
        } catch (org.openqa.selenium.TimeoutException e) {
            throw new AssertionError(browser.findElements(By.cssSelector(".opblock")).size() + " of " + expected + " operation blocks shown; browser log: "
                    + browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage).toList(), e);
        }
        assertThat(browser.findElement(By.cssSelector(".info .title")).getText()).contains("Intelligent Meter System");
        assertThat(browser.findElements(By.cssSelector(".opblock-summary-path")).stream().map(e -> e.getAttribute("data-path")).toList())
                .contains("/api/v1/meters/{id}/usage", "/api/v1/openapi.json");

        List<String> refused = browser.manage().logs().get(LogType.BROWSER).getAll().stream().map(LogEntry::getMessage)
                .filter(m -> m.contains("Content Security Policy")).toList();
        assertThat(refused).as("CSP refusals").isEmpty();
    }
}
