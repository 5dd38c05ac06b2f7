package dev.ims.portal;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Assumptions;
import org.openqa.selenium.By;
import org.openqa.selenium.StaleElementReferenceException;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The staff's broker page in a real headless Chromium (Debian's {@code chromium} + {@code chromium-driver}; the test is
 * skipped without them): staff sign in, see the broker's figures, and a new client appears by the page's own reload.
 */
final class BrokerPageBrowser {

    static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    static final Path DRIVER = Path.of("/usr/bin/chromedriver");

    private BrokerPageBrowser() {}

    /**
     * Signs in as staff on {@code portal}, opens {@code /staff/broker} and checks what it shows; {@code newClient} connects
     * one more client to the broker (and returns what disconnects it), after which the page must show more clients
     * without anyone touching it.
     */
    static void staffSeeLiveFigures(MonitoredPortal portal, java.util.function.Supplier<AutoCloseable> newClient, String version)
            throws Exception {
        Assumptions.assumeTrue(Files.isExecutable(CHROMIUM) && Files.isExecutable(DRIVER), "no Chromium here");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--window-size=1280,900");
        WebDriver browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(DRIVER.toFile()).build(), options);
        try {
            browser.get(portal.url("/login?next=/staff/broker"));
            browser.findElement(By.id("username")).sendKeys("admin");
            browser.findElement(By.id("password")).sendKeys(PortalIT.ADMIN_PASSWORD);
            browser.findElement(By.id("login")).click();
            new WebDriverWait(browser, Duration.ofSeconds(20)).until(d -> d.getCurrentUrl().endsWith("/staff/broker"));
            new WebDriverWait(browser, Duration.ofSeconds(30)).ignoring(StaleElementReferenceException.class).until(d -> {
                d.navigate().refresh();
                return d.findElement(By.id("monitor-state")).getText().contains("Connected to the broker as ims-monitor")
                        && d.findElement(By.id("clients")).getText().matches("\\d+");
            });
            assertThat(browser.findElement(By.id("monitor-state")).getText()).contains(version);
            assertThat(browser.findElements(By.cssSelector("#broker svg.sparkline"))).hasSize(5);
            assertThat(browser.findElement(By.cssSelector("nav a[href='/staff/broker']")).getText()).isEqualTo("Broker");
            long shown = Long.parseLong(browser.findElement(By.id("clients")).getText());
            try (AutoCloseable extra = newClient.get()) {
                new WebDriverWait(browser, Duration.ofSeconds(40)).ignoring(StaleElementReferenceException.class)
                        .until(d -> Long.parseLong(d.findElement(By.id("clients")).getText()) > shown);
            }
        } finally {
            browser.quit();
        }
    }
}
