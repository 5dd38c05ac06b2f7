package dev.ims.portal;

import static dev.ims.model.storage.StoreSchema.*;
import static org.assertj.core.api.Assertions.assertThat;

import dev.ims.store.alarm.AlarmKind;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;
import reactor.core.publisher.Mono;

/**
 * Staff acknowledge and clear an alarm on {@code /staff/alarms} in a real headless Chromium (Debian's {@code chromium} +
 * {@code chromium-driver}; skipped without them unless {@code CI=true}), reaching it from the fleet page: plain forms with
 * the session's CSRF field, no script.
 */
class AlarmsBrowserIT {

    static WebDriver browser;

    @BeforeAll
    static void start() throws Exception {
        boolean installed = Files.isExecutable(ApiExplorerBrowserIT.CHROMIUM) && Files.isExecutable(ApiExplorerBrowserIT.DRIVER);
        if (!installed && "true".equals(System.getenv("CI"))) {
            throw new IllegalStateException("CI=true but Chromium or its driver is missing");
        }
        Assumptions.assumeTrue(installed, "no Chromium here");
        PortalIT.start();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(ApiExplorerBrowserIT.CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-background-networking", "--disable-component-update", "--no-first-run", "--window-size=1280,900");
        browser = new ChromeDriver(new ChromeDriverService.Builder().usingDriverExecutable(ApiExplorerBrowserIT.DRIVER.toFile()).build(), options);
    }

    @AfterAll
    static void stop() {
        if (browser != null) {
            browser.quit();
        }
    }

    @Test
    void staff_acknowledgeAndClearAnAlarm_fromTheFleetPage() {
        for (String c : List.of(ALARMS, ALARM_HISTORY, ALARM_HOLDS)) {
            Mono.from(PortalIT.db.getCollection(c).drop()).block();
        }
        PortalIT.raise(AlarmKind.TAMPER, "m-browser", Instant.parse("2026-11-29T07:30:00Z"), "reading seq 12 shows status FAULT, fault TAMPER");
        String base = "http://127.0.0.1:" + PortalIT.port;
        browser.get(base + "/login?next=/");
        browser.findElement(By.id("username")).sendKeys("admin");
        browser.findElement(By.id("password")).sendKeys(PortalIT.ADMIN_PASSWORD);
        browser.findElement(By.id("login")).click();
        WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(20));
        wait.until(d -> d.getCurrentUrl().equals(base + "/"));
        assertThat(browser.findElement(By.cssSelector("#alarms li[data-kind='TAMPER']")).getText()).contains("m-browser").contains("TAMPER");
        browser.findElement(By.id("all-alarms")).click();
        wait.until(d -> d.getCurrentUrl().endsWith("/staff/alarms"));
        assertThat(browser.findElement(By.cssSelector("nav a[href='/staff/alarms']")).getText()).isEqualTo("Alarms");

        WebElement row = row();
        screenshot("alarms-open");
        assertThat(row.getAttribute("data-state")).isEqualTo("open");
        assertThat(row.getText()).contains("critical").contains("reading seq 12 shows status FAULT, fault TAMPER");
        row.findElement(By.cssSelector("form.alarm-ack input[name='note']")).sendKeys("field team informed");
        row.findElement(By.cssSelector("form.alarm-ack button")).click();
        wait.until(d -> "acknowledged".equals(row().getAttribute("data-state")));
        assertThat(row().getText()).contains("acknowledged by admin").contains("field team informed");
        assertThat(row().findElements(By.cssSelector("form.alarm-ack"))).isEmpty();

        row().findElement(By.cssSelector("form.alarm-clear input[name='note']")).sendKeys("seal replaced on site");
        row().findElement(By.cssSelector("form.alarm-clear button")).click();
        wait.until(d -> d.findElements(By.cssSelector("tr[data-alarm='TAMPER/m-browser']")).isEmpty());

        new Select(browser.findElement(By.cssSelector("#alarm-filters select[name='state']"))).selectByValue("cleared");
        browser.findElement(By.cssSelector("#alarm-filters button")).click();
        wait.until(d -> d.getCurrentUrl().contains("state=cleared"));
        WebElement past = browser.findElement(By.cssSelector("tr[data-alarm='TAMPER/m-browser/" + Instant.parse("2026-11-29T07:30:00Z").toEpochMilli() + "']"));
        assertThat(past.getAttribute("data-state")).isEqualTo("cleared");
        assertThat(past.getText()).contains("cleared by admin").contains("seal replaced on site").contains("acknowledged by admin");
        assertThat(past.findElements(By.tagName("form"))).isEmpty();
        screenshot("alarms-cleared");
    }

    /** For a look at the page: {@code target/screenshots/<name>.png}. */
    private static void screenshot(String name) {
        try {
            java.nio.file.Path dir = java.nio.file.Files.createDirectories(java.nio.file.Path.of("target", "screenshots"));
            java.nio.file.Files.write(dir.resolve(name + ".png"),
                    ((org.openqa.selenium.TakesScreenshot) browser).getScreenshotAs(org.openqa.selenium.OutputType.BYTES));
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static WebElement row() {
        return browser.findElement(By.cssSelector("tr[data-alarm='TAMPER/m-browser']"));
    }
}
