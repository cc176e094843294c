package org.dpq.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.logging.Level;
import org.dpq.client.Wire;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.NoAlertPresentException;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriverException;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The web console in a real headless chromium (Debian's, driven through /usr/bin/chromedriver; Selenium Manager is
 * never asked to download anything) against a real {@code dpq serve} process on loopback. One browser and one
 * server for the class. Without chromium the class is skipped visibly, or fails when {@code DPQ_EXPECT_BROWSER=1}
 * (CI installs it). Writes the README's screenshots to target/console-screenshots (and to
 * {@code DPQ_SCREENSHOTS_DIR} when set).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
@ExtendWith(ConsoleBrowserTest.BrowserAvailable.class)
class ConsoleBrowserTest {
  /** Debian's paths; the properties exist to check the skip-or-fail rule without uninstalling anything. */
  static final Path CHROMIUM = Path.of(System.getProperty("dpq.chromium", "/usr/bin/chromium"));
  static final Path CHROMEDRIVER = Path.of(System.getProperty("dpq.chromedriver", "/usr/bin/chromedriver"));
  /** Markup in data: each would add an element or run script if it were ever parsed as HTML. */
  static final String IMG = "<img src=x onerror=alert(1)>";
  static final String SCRIPT = "<script>window.__xss=2</script>";
  static final String SQL_MARKUP = "<script>window.__xss=3</script><img src=x onerror=alert(4)>";

  /**
   * Runs the class when chromium and chromedriver are installed or DPQ_EXPECT_BROWSER=1 says they must be (then
   * their absence fails it); otherwise reports its tests as skipped, with one line saying how to run them.
   */
  static final class BrowserAvailable implements ExecutionCondition {
    static final String WHY = "no chromium at " + CHROMIUM + " or no chromedriver at " + CHROMEDRIVER;

    static boolean installed() {
      return Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER);
    }

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
      if (installed() || "1".equals(System.getenv("DPQ_EXPECT_BROWSER"))) {
        return ConditionEvaluationResult.enabled("a browser is installed or expected");
      }
      if (context.getTestMethod().isEmpty()) {
        System.out.println("Console browser tests skipped: " + WHY + ". To run them: apt-get install chromium "
            + "chromium-driver (DPQ_EXPECT_BROWSER=1 makes a missing browser a failure)");
      }
      return ConditionEvaluationResult.disabled("browser tests skipped: " + WHY);
    }
  }

  /**
   * Selenium warns that it has no CDP bindings for this chromium's version; the test uses WebDriver only (no CDP),
   * so the warning is noise. Held in a field so the logger keeps its level.
   */
  static final java.util.logging.Logger CDP_LOG = java.util.logging.Logger.getLogger("org.openqa.selenium.devtools");

  static {
    CDP_LOG.setLevel(Level.SEVERE);
  }

  @TempDir static Path dir;
  static ServerFixture fx;
  static ServerProcess server;
  static ChromeDriver driver;
  static Path downloads;

  @BeforeAll
  static void start() throws Exception {
    if (!BrowserAvailable.installed()) {
      fail("DPQ_EXPECT_BROWSER=1 but " + BrowserAvailable.WHY); // (BrowserAvailable skipped the class otherwise)
    }
    fx = new ServerFixture(dir, "", "4.0", "3.0");
    addMarkupDataset();
    server = ServerProcess.start(fx.config, true, Map.of());
    // Spending by two analysts for the burn-down; alice's SQL carries markup for the officer's history.
    spend("alice", "SELECT rating, COUNT(*) AS n FROM ratings GROUP BY rating -- " + SQL_MARKUP, "0.3");
    spend("bob", "SELECT COUNT(*) AS n FROM ratings", "0.5");
    spend("alice", "SELECT AVG(rating) AS r FROM ratings", "0.8");
    spend("bob", "SELECT SUM(rating) AS s FROM ratings", "0.7");
    spend("alice", "SELECT product_id, COUNT(*) AS n FROM ratings GROUP BY product_id", "0.6");

    downloads = Files.createDirectories(dir.resolve("downloads"));
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        "--disable-dev-shm-usage", "--window-size=1400,1000",
        "--user-data-dir=" + Files.createDirectories(dir.resolve("chromium-profile")));
    options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
        "download.prompt_for_download", false));
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(CHROMEDRIVER.toFile()).usingAnyFreePort().build();
    driver = new ChromeDriver(service, options);
  }

  @AfterAll
  static void stop() throws Exception {
    try {
      if (driver != null) {
        driver.quit();
      }
    } finally {
      if (server != null) {
        server.close();
      }
    }
  }

  /** A second dataset whose public group keys are markup, allocated to alice in server.yaml. */
  static void addMarkupDataset() throws Exception {
    StringBuilder csv = new StringBuilder("user_id,tag\n");
    String[] tags = {IMG, SCRIPT, "plain & simple"};
    for (int u = 1; u <= 300; u++) {
      csv.append(u).append(",\"").append(tags[u % 3]).append("\"\n");
    }
    Files.writeString(dir.resolve("tags.csv"), csv);
    Files.writeString(dir.resolve("tags.yaml"), "name: tags\ntable: tags\nsource: { csv: tags.csv }\n"
        + "privacy_unit: user_id\nmax_groups_contributed: 1\nmax_rows_per_group: 1\n"
        + "budget: { epsilon: 10.0, delta: 1.0e-5 }\ndefaults: { epsilon: 1.0, delta: 1.0e-7 }\ncolumns:\n"
        + "  user_id: { type: int }\n"
        + "  tag: { type: string, public_values: [\"" + IMG + "\", \"" + SCRIPT + "\", \"plain & simple\"] }\n");
    String yaml = Files.readString(fx.config).replace("datasets: [ ratings.yaml ]", "datasets: [ ratings.yaml, tags.yaml ]");
    List<String> lines = new ArrayList<>();
    for (String line : yaml.split("\n")) {
      lines.add(line.startsWith("  alice:") ? line.replace("budgets: { ratings:",
          "budgets: { tags: { epsilon: 2.0, delta: 1.0e-6 }, ratings:") : line);
    }
    Files.writeString(fx.config, String.join("\n", lines) + "\n");
  }

  static JsonNode api(String method, String path, String who, String body) throws Exception {
    Http.Response r = Http.send(server.url + path, method, "Bearer " + fx.token(who), body);
    assertEquals(200, r.status(), path + ": " + r.body());
    return Wire.mapper().readTree(r.body());
  }

  static void spend(String who, String sql, String epsilon) throws Exception {
    api("POST", "/v1/datasets/ratings/query", who, Wire.write(new Wire.QueryRequest(sql, epsilon, null, null)));
  }

  static String spent(String who, String dataset) throws Exception {
    for (JsonNode a : api("GET", "/v1/datasets/" + dataset + "/budget", "olga", null).get("allocations")) {
      if (a.get("analyst").asText().equals(who)) {
        return a.get("spent").get("epsilon").asText();
      }
    }
    throw new AssertionError("no allocation for " + who);
  }

  // ---------------------------------------------------------------------------------------------------------

  static <T> T await(String what, Supplier<T> probe) {
    long deadline = System.nanoTime() + 30_000_000_000L;
    RuntimeException last = null;
    while (System.nanoTime() < deadline) {
      try {
        T v = probe.get();
        if (v != null && !Boolean.FALSE.equals(v)) {
          return v;
        }
      } catch (WebDriverException | IndexOutOfBoundsException e) {
        last = e;
      }
      try {
        Thread.sleep(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
    throw new AssertionError("waited 30 s for " + what + "; the console's error box says: '"
        + text("error") + "'", last);
  }

  static WebElement byId(String id) {
    return driver.findElement(By.id(id));
  }

  static String text(String id) {
    try {
      return (String) driver.executeScript("return document.getElementById(arguments[0]).textContent", id);
    } catch (WebDriverException e) {
      return "?";
    }
  }

  static void type(String id, String value) {
    WebElement e = byId(id);
    e.clear();
    e.sendKeys(value);
  }

  static void login(String who) {
    driver.manage().deleteAllCookies();
    driver.get(server.url + "/");
    await("the login form", () -> byId("login").isDisplayed());
    type("login-token", fx.token(who));
    byId("login-submit").click();
    await("logged in as " + who, () -> who.equals(byId("whoami").getText()));
    Object cookieVisibleToScript = driver.executeScript("return document.cookie");
    assertEquals("", cookieVisibleToScript, "the session cookie is HttpOnly");
    assertTrue(driver.manage().getCookieNamed("dpq_session").isSecure());
  }

  static List<WebElement> rows(String tableId) {
    return driver.findElements(By.cssSelector("#" + tableId + " tbody tr"));
  }

  /** Nothing from data became markup: only the page's own elements exist, no alert opened, no script ran. */
  static void assertInert() {
    assertThrows(NoAlertPresentException.class, () -> driver.switchTo().alert());
    assertEquals(0L, driver.executeScript("return document.querySelectorAll('img, iframe, object, embed').length"));
    assertEquals(4L, driver.executeScript("return document.scripts.length"), "only the console's four scripts");
    assertNull(driver.executeScript("return window.__xss === undefined ? null : window.__xss"));
    List<String> csp = new ArrayList<>();
    for (LogEntry e : driver.manage().logs().get(LogType.BROWSER)) {
      if (e.getMessage().contains("Content Security Policy") || e.getMessage().contains("Content-Security-Policy")) {
        csp.add(e.getMessage());
      }
    }
    assertEquals(List.of(), csp, "no CSP violation: the console itself uses no inline script or style");
  }

  static void screenshot(String name) throws Exception {
    JavascriptExecutor js = driver;
    Dimension before = driver.manage().window().getSize();
    long height = (Long) js.executeScript("return document.documentElement.scrollHeight");
    driver.manage().window().setSize(new Dimension(before.getWidth(), (int) Math.min(height + 120, 4000)));
    js.executeScript("window.scrollTo(0, 0)");
    byte[] png = driver.getScreenshotAs(OutputType.BYTES);
    driver.manage().window().setSize(before);
    Path out = Files.createDirectories(Path.of("target", "console-screenshots")).resolve(name);
    Files.write(out, png);
    String extra = System.getenv("DPQ_SCREENSHOTS_DIR");
    if (extra != null && !extra.isBlank()) {
      Files.write(Files.createDirectories(Path.of(extra)).resolve(name), png);
    }
  }

  // ---------------------------------------------------------------------------------------------------------

  @Test
  @Order(1)
  void anOfficerSeesBalancesTheBurnDownAndTheHistoryAndChangesAnAllocation() throws Exception {
    login("olga");
    await("both datasets", () -> rows("datasets-table").size() == 2);
    assertEquals("ratings", rows("datasets-table").get(0).findElements(By.tagName("td")).get(0).getText());
    JsonNode status = api("GET", "/v1/datasets/ratings/budget", "olga", null).get("status");
    assertEquals(status.get("spent").get("epsilon").asText(),
        rows("datasets-table").get(0).findElements(By.tagName("td")).get(2).getText());
    await("the burn-down areas", () -> driver.findElements(By.cssSelector("#burndown-svg path.area")).size() == 2);
    List<String> stacked = driver.findElements(By.cssSelector("#burndown-svg path.area")).stream()
        .map(p -> p.getAttribute("data-analyst")).toList();
    assertEquals(List.of("alice", "bob"), stacked);
    assertTrue(byId("burndown-legend").getText().contains("alice") && byId("burndown-legend").getText().contains("bob"));
    assertTrue(text("burndown").contains("remaining ε " + status.get("remaining").get("epsilon").asText()),
        text("burndown"));

    // The history shows every entry, SQL with markup as text, and each charge's cost per measurement.
    JsonNode entries = api("GET", "/v1/datasets/ratings/history", "olga", null);
    int all = entries.size();
    long charges = 0;
    for (JsonNode e : entries) {
      charges += e.get("kind").asText().equals("CHARGE") ? 1 : 0;
    }
    long chargeCount = charges;
    await("the history", () -> rows("history-table").size() == all);
    assertTrue(text("history-table").contains("-- " + SQL_MARKUP), "the SQL is shown literally");
    WebElement charge = await("a CHARGE row", () -> rows("history-table").stream()
        .filter(r -> "CHARGE".equals(r.getAttribute("data-kind")) && r.getText().contains("AS r FROM")).findFirst()
        .orElse(null));
    List<WebElement> shares = charge.findElements(By.cssSelector("ul.measurements li"));
    assertFalse(shares.isEmpty(), "an AVG is measured as a sum and a count, each with its share");
    assertTrue(shares.stream().allMatch(li -> li.getText().contains("ε ")), charge.getText());

    // Filters: by kind, by analyst, by date.
    select("filter-kind", "CHARGE");
    await("only charges", () -> rows("history-table").size() == chargeCount
        && rows("history-table").stream().allMatch(r -> "CHARGE".equals(r.getAttribute("data-kind"))));
    select("filter-analyst", "bob");
    await("bob's charges", () -> rows("history-table").size() == 2 && rows("history-table").get(1).getText()
        .contains("SELECT COUNT(*) AS n FROM ratings"));
    select("filter-analyst", "all");
    select("filter-kind", "all");
    setDate("filter-to", "2001-01-01");
    await("nothing before 2001", () -> rows("history-table").isEmpty());
    setDate("filter-to", "");
    await("the whole history again", () -> rows("history-table").size() == all);

    // Change bob's allocation, with a reason; the ledger records it.
    type("alloc-analyst", "bob");
    type("alloc-epsilon", "2.5");
    type("alloc-delta", "0.000001");
    type("alloc-reason", "quarterly review");
    byId("alloc-submit").click();
    await("the allocation's confirmation", () -> byId("alloc-status").getText().startsWith("bob now has ε 2.5"));
    JsonNode budget = api("GET", "/v1/datasets/ratings/budget", "olga", null);
    boolean found = false;
    for (JsonNode a : budget.get("allocations")) {
      if (a.get("analyst").asText().equals("bob")) {
        assertEquals("2.5", a.get("allocated").get("epsilon").asText());
        found = true;
      }
    }
    assertTrue(found);
    JsonNode history = api("GET", "/v1/datasets/ratings/history", "olga", null);
    JsonNode last = history.get(history.size() - 1);
    assertEquals("ALLOCATE", last.get("kind").asText());
    assertTrue(last.get("note").asText().contains("quarterly review"), last.toString());
    await("the new entry in the table", () -> rows("history-table").size() == all + 1);

    // Raise the total, with a reason.
    type("raise-epsilon", "1");
    type("raise-reason", "new data arrived");
    byId("raise-submit").click();
    await("the raise's confirmation", () -> byId("raise-status").getText().startsWith("The total is now ε 11"));
    assertEquals("11", api("GET", "/v1/datasets/ratings/budget", "olga", null).get("status").get("total")
        .get("epsilon").asText());
    await("the raise in the table", () -> rows("history-table").size() == all + 2
        && rows("history-table").get(0).getText().contains("RAISE"));

    byId("verify").click();
    await("the verification", () -> byId("verify-result").getText().startsWith("OK: " + (all + 2) + " entries"));
    assertInert();
    screenshot("console-officer.png");
  }

  /** Picks an option once the page has filled the list (it loads datasets and names asynchronously). */
  static void select(String id, String optionText) {
    await("the option '" + optionText + "' in #" + id, () -> byId(id)
        .findElement(By.xpath("./option[normalize-space(.)='" + optionText + "']"))).click();
  }

  static void setDate(String id, String isoDate) {
    driver.executeScript("const e = document.getElementById(arguments[0]); e.value = arguments[1];"
        + " e.dispatchEvent(new Event('change'));", id, isoDate);
  }

  @Test
  @Order(2)
  void anAnalystExplainsThenRunsAQuerySeesIntervalsAndDownloadsTheCsv() throws Exception {
    login("alice");
    await("alice's datasets", () -> rows("my-datasets").size() == 2);
    select("dataset", "ratings");
    String sql = "SELECT rating, COUNT(*) AS n FROM ratings GROUP BY rating";
    type("sql", sql);
    type("epsilon", "0.2");
    assertFalse(byId("run").isEnabled(), "nothing runs before an explanation");
    String spentBefore = spent("alice", "ratings");
    byId("explain").click();
    await("the explanation", () -> byId("run").isEnabled());
    assertEquals("Run (costs epsilon 0.2)", byId("run").getText());
    assertTrue(byId("explain-cost").getText().startsWith("Cost: epsilon 0.2."), byId("explain-cost").getText());
    assertTrue(byId("explain-shape").getText().contains("exactly the declared public keys"));
    List<WebElement> measured = rows("explain-table");
    assertEquals(1, measured.size());
    assertTrue(measured.get(0).getText().matches("(?s).*± [0-9.]+.*"), measured.get(0).getText());
    assertEquals(spentBefore, spent("alice", "ratings"), "explaining costs nothing");

    byId("run").click();
    await("five released groups", () -> rows("result-table").size() == 5);
    assertEquals(new java.math.BigDecimal(spentBefore).add(new java.math.BigDecimal("0.2")).compareTo(
        new java.math.BigDecimal(spent("alice", "ratings"))), 0, "charged exactly 0.2");
    List<String[]> shown = new ArrayList<>();
    for (WebElement r : rows("result-table")) {
      List<WebElement> cells = r.findElements(By.tagName("td"));
      String key = cells.get(0).findElement(By.className("value")).getText();
      String n = cells.get(1).findElement(By.className("value")).getText();
      String ci = cells.get(1).findElement(By.className("ci")).getText();
      assertTrue(ci.matches("\\[-?[0-9.e+-]+, -?[0-9.e+-]+\\]"), ci);
      assertTrue(cells.get(0).findElements(By.className("ci")).isEmpty(), "a public key has no interval");
      shown.add(new String[] {key, n});
    }
    assertEquals(List.of("1", "2", "3", "4", "5"), shown.stream().map(x -> x[0]).toList());
    assertEquals(5, driver.findElements(By.cssSelector("#result-bars rect.bar")).size());
    assertEquals(15, driver.findElements(By.cssSelector("#result-bars line.whisker")).size());
    await("the query in alice's history", () -> text("my-history").contains(sql));

    // The CSV holds the table's values and the intervals.
    byId("download-csv").click();
    Path csv = downloads.resolve("dpq-result.csv");
    await("the CSV download", () -> Files.isRegularFile(csv) && !csvLines(csv).isEmpty());
    List<String> lines = csvLines(csv);
    assertEquals("rating,n,n_ci95_low,n_ci95_high", lines.get(0));
    assertEquals(6, lines.size(), lines.toString());
    for (int i = 0; i < 5; i++) {
      String[] f = lines.get(i + 1).split(",");
      assertEquals(4, f.length, lines.get(i + 1));
      assertEquals(shown.get(i)[0], f[0]);
      assertEquals(shown.get(i)[1], f[1]);
      assertTrue(Double.parseDouble(f[2]) < Double.parseDouble(f[3]), lines.get(i + 1));
    }
    assertInert();
    screenshot("console-analyst.png");
  }

  static List<String> csvLines(Path csv) {
    try {
      String s = Files.readString(csv, StandardCharsets.UTF_8);
      return s.endsWith("\r\n") ? List.of(s.split("\r\n")) : List.of();
    } catch (java.io.IOException e) {
      return List.of();
    }
  }

  @Test
  @Order(3)
  void markupInSqlGroupKeysColumnNamesAndErrorsIsShownAsText() throws Exception {
    login("alice");
    await("alice's datasets", () -> rows("my-datasets").size() == 2);
    select("dataset", "tags");
    String alias = "<b id=injected>t</b>";
    String sql = "SELECT tag AS \"" + alias + "\", COUNT(*) AS n FROM tags GROUP BY tag -- " + SQL_MARKUP;
    type("sql", sql);
    type("epsilon", "0.1");
    byId("explain").click();
    await("the explanation", () -> byId("run").isEnabled());
    byId("run").click();
    await("three released groups", () -> rows("result-table").size() == 3);
    assertEquals(alias, driver.findElement(By.cssSelector("#result-table thead th")).getText());
    List<String> keys = rows("result-table").stream()
        .map(r -> r.findElement(By.cssSelector("td .value")).getText()).sorted().toList();
    assertEquals(List.of(SCRIPT, IMG, "plain & simple").stream().sorted().toList(), keys);
    List<String> labels = driver.findElements(By.cssSelector("#result-bars text.bar-label")).stream()
        .map(e -> e.getAttribute("textContent")).toList();
    assertEquals(3, labels.size());
    assertTrue(labels.contains(IMG.substring(0, 13) + "…"), labels.toString());
    await("the query in alice's history", () -> text("my-history").contains(sql));
    assertTrue(driver.findElements(By.id("injected")).isEmpty());

    // An engine error naming a column made of markup is shown as the engine's text.
    type("sql", "SELECT \"" + IMG + "\" FROM tags");
    byId("explain").click();
    await("the engine's error", () -> byId("error").isDisplayed());
    assertFalse(byId("run").isEnabled());
    assertInert();

    login("olga");
    select("officer-dataset", "tags");
    await("alice's charge on tags", () -> text("history-table").contains(sql));
    assertInert();
  }
}
