package org.dpq.e2e;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * A Java developer's first day: a throwaway Maven project that depends on dpq's published artifacts builds
 * and runs the README's Java example. The reactor's just-built jars and POMs go into a temporary local
 * repository (never the real one); third-party artifacts come from the build's own local repository through a
 * {@code file://} mirror, with Maven offline, so no network is needed. Two consumers: one depending on
 * {@code dpq-engine} alone, one importing {@code dpq-bom}; both must resolve one Jackson and SLF4J 2, and run.
 */
class ConsumerProjectTest {
  private static final Path ROOT = Path.of(System.getProperty("dpq.root", "../..")).toAbsolutePath().normalize();
  private static final String VERSION = System.getProperty("dpq.version", "0.1.0-SNAPSHOT");
  private static final List<String> MODULES = List.of("mechanisms", "api", "budget", "engine");
  private static final Pattern JAVA_BLOCK = Pattern.compile("## Java API.*?```java\\n(.*?)```", Pattern.DOTALL);

  @Test
  void aConsumerProjectBuildsAgainstThePublishedArtifactsAndRunsTheReadmeExample() throws Exception {
    Path work = ROOT.resolve("src/test/target/consumer");
    deleteTree(work);
    Path repo = work.resolve("repository");
    publish(repo);

    String example = exampleClass(Files.readString(ROOT.resolve("README.md"), StandardCharsets.UTF_8));
    Path project = work.resolve("project");
    write(project.resolve("pom.xml"), aggregatorPom());
    for (String consumer : List.of("alone", "with-bom")) {
      write(project.resolve(consumer).resolve("pom.xml"), consumerPom(consumer));
      write(project.resolve(consumer).resolve("src/main/java/Example.java"), example);
    }
    Path mirror = Path.of(System.getProperty("dpq.localRepository",
        Path.of(System.getProperty("user.home"), ".m2", "repository").toString()));
    write(work.resolve("settings.xml"), """
        <settings>
          <mirrors>
            <mirror><id>build-cache</id><mirrorOf>*</mirrorOf><url>%s</url></mirror>
          </mirrors>
        </settings>
        """.formatted(mirror.toUri()));

    Result build = run(project, work.resolve("maven.log"), maven(), "-B", "-ntp", "-q", "-o",
        "-Daether.offline.protocols=file", "-s", work.resolve("settings.xml").toString(),
        "-Dmaven.repo.local=" + repo, "compile",
        "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:build-classpath", "-Dmdep.outputFile=classpath.txt");
    if (build.exit() != 0) {
      fail("the consumer project did not build (exit " + build.exit() + "):\n" + tail(build.output()));
    }

    for (String consumer : List.of("alone", "with-bom")) {
      Path module = project.resolve(consumer);
      String classpath = Files.readString(module.resolve("classpath.txt")).strip();
      assertEquals(Set.of("2.22"), versions(classpath, "jackson-(?:core|databind|annotations|dataformat-yaml)"),
          consumer + ": one Jackson version on the class path: " + classpath);
      assertEquals(Set.of("2"), versions(classpath, "slf4j-api").stream().map(v -> v.substring(0, 1))
          .collect(java.util.stream.Collectors.toSet()), consumer + ": SLF4J 2 only: " + classpath);

      Path runDir = work.resolve("run-" + consumer);
      Files.createDirectories(runDir.resolve("samples"));
      for (String f : List.of("clinic.yaml", "clinic.csv")) {
        Files.copy(ROOT.resolve("samples").resolve(f), runDir.resolve("samples").resolve(f));
      }
      Result ran = run(runDir, work.resolve(consumer + ".log"),
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp",
          module.resolve("target/classes") + java.io.File.pathSeparator + classpath, "Example");
      String out = ran.output();
      assertEquals(0, ran.exit(), consumer + ": the README example failed:\n" + tail(out));
      assertFalse(out.contains("NoClassDefFoundError") || out.contains("NoSuchMethodError"), out);
      assertFalse(out.contains("StaticLoggerBinder"), consumer + ": the SLF4J 1 warning is gone: " + out);
      assertTrue(out.matches("(?s).*charged \\(epsilon=0\\.5, delta=0(\\.0*[1-9]+)?\\), remaining.*"),
          consumer + ": privacy losses in plain decimals: " + out);
      assertEquals(6, out.lines().filter(l -> l.contains(" visits ")).count(), "one line per public clinic: " + out);
      assertTrue(Files.exists(runDir.resolve("samples/clinic.ledger.db")), "the example charged its own copy");
    }
  }

  /** Copies the reactor's POMs and jars into a repository layout, as {@code install} would, but elsewhere. */
  private static void publish(Path repo) throws IOException {
    copy(ROOT.resolve("pom.xml"), repo, "dpq-parent", "pom");
    copy(ROOT.resolve("bom/pom.xml"), repo, "dpq-bom", "pom");
    for (String module : MODULES) {
      String artifact = "dpq-" + module;
      copy(ROOT.resolve(module).resolve("pom.xml"), repo, artifact, "pom");
      Path jar = ROOT.resolve(module).resolve("target").resolve(artifact + "-" + VERSION + ".jar");
      assertTrue(Files.isRegularFile(jar), jar + " is missing: run this test through 'mvn verify'");
      copy(jar, repo, artifact, "jar");
    }
  }

  private static void copy(Path file, Path repo, String artifact, String extension) throws IOException {
    Path dir = repo.resolve("org/dpq").resolve(artifact).resolve(VERSION);
    Files.createDirectories(dir);
    Files.copy(file, dir.resolve(artifact + "-" + VERSION + "." + extension), StandardCopyOption.REPLACE_EXISTING);
  }

  /** The README's Java example as a class: its imports, then its statements in {@code main}. */
  static String exampleClass(String readme) {
    Matcher m = JAVA_BLOCK.matcher(readme);
    assertTrue(m.find(), "README.md has a ```java block under '## Java API'");
    List<String> imports = new ArrayList<>();
    StringBuilder body = new StringBuilder();
    for (String line : m.group(1).split("\n")) {
      if (line.startsWith("import ")) {
        imports.add(line);
      } else {
        body.append("    ").append(line).append('\n');
      }
    }
    return String.join("\n", imports) + "\n\npublic class Example {\n  public static void main(String[] args) "
        + "throws Exception {\n" + body + "  }\n}\n";
  }

  private static String aggregatorPom() {
    return pom("consumers", "<packaging>pom</packaging><modules><module>alone</module><module>with-bom</module>"
        + "</modules>", "");
  }

  private static String consumerPom(String name) {
    String engine = "<groupId>org.dpq</groupId><artifactId>dpq-engine</artifactId>";
    if (name.equals("alone")) {
      return pom(name, "", "<dependencies><dependency>" + engine + "<version>" + VERSION
          + "</version></dependency></dependencies>");
    }
    // As the README shows it: import the BOM, then depend on dpq-engine without a version.
    return pom(name, "", "<dependencyManagement><dependencies><dependency><groupId>org.dpq</groupId>"
        + "<artifactId>dpq-bom</artifactId><version>" + VERSION + "</version><type>pom</type><scope>import</scope>"
        + "</dependency></dependencies></dependencyManagement><dependencies><dependency>" + engine
        + "</dependency></dependencies>");
  }

  private static String pom(String artifact, String packaging, String dependencies) {
    return """
        <project xmlns="http://maven.apache.org/POM/4.0.0">
          <modelVersion>4.0.0</modelVersion>
          <groupId>example</groupId><artifactId>%s</artifactId><version>1</version>
          %s
          <properties>
            <maven.compiler.release>17</maven.compiler.release>
            <project.build.sourceEncoding>UTF-8</project.build.sourceEncoding>
          </properties>
          %s
          <build><plugins>
            <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-resources-plugin</artifactId><version>3.3.1</version></plugin>
            <plugin><groupId>org.apache.maven.plugins</groupId><artifactId>maven-compiler-plugin</artifactId><version>3.13.0</version></plugin>
          </plugins></build>
        </project>
        """.formatted(artifact, packaging, dependencies);
  }

  /** The versions of the jars whose artifact id matches {@code artifact} on a class path. */
  private static Set<String> versions(String classpath, String artifact) {
    Set<String> versions = new TreeSet<>();
    Matcher m = Pattern.compile("(?:^|[/\\\\])(?:" + artifact + ")-(\\d+\\.\\d+)[^/\\\\]*\\.jar").matcher(classpath);
    while (m.find()) {
      versions.add(m.group(1));
    }
    return versions;
  }

  private static String maven() {
    String home = System.getProperty("dpq.maven.home");
    boolean windows = System.getProperty("os.name", "").startsWith("Windows");
    return home == null || home.isBlank() ? "mvn" : Path.of(home, "bin", windows ? "mvn.cmd" : "mvn").toString();
  }

  private record Result(int exit, String output) {}

  private static Result run(Path dir, Path log, String... command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
        .redirectOutput(log.toFile()).start();
    if (!p.waitFor(15, TimeUnit.MINUTES)) {
      p.destroyForcibly();
      fail(String.join(" ", command) + " did not finish in 15 minutes");
    }
    return new Result(p.exitValue(), Files.readString(log, StandardCharsets.UTF_8));
  }

  private static String tail(String text) {
    List<String> lines = text.lines().toList();
    return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  private static void write(Path file, String text) throws IOException {
    Files.createDirectories(file.getParent());
    Files.writeString(file, text, StandardCharsets.UTF_8);
  }

  private static void deleteTree(Path dir) throws IOException {
    if (Files.exists(dir)) {
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.delete(p);
        }
      }
    }
  }
}
