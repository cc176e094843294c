package org.dpq.cli.samples;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.LongConsumer;

/**
 * Writes the shipped synthetic data sets at any size, reproducibly from a seed, with several rows per privacy
 * unit, and the dataset YAML that goes beside the CSV. The seed only fixes the synthetic data; it has nothing
 * to do with (and no way to reach) the engine's privacy noise.
 */
public final class SampleGenerator {
  /** The seed used when none is given; the committed samples were made with it. */
  public static final long DEFAULT_SEED = 20240501L;

  private static final List<Sample> SAMPLES = List.of(new RatingsSample(), new ClinicSample(), new TransactionsSample());
  private static final long PROGRESS_EVERY = 1 << 16;

  private SampleGenerator() {}

  /** What was written. */
  public record Stats(long rows, long units) {}

  /** Where {@link #generateTo} wrote. */
  public record Written(Path csv, Path yaml, Stats stats) {}

  /** The samples, in help order. */
  public static List<Sample> samples() {
    return SAMPLES;
  }

  /** The sample with this name (case-insensitive). */
  public static Sample sample(String name) {
    for (Sample s : SAMPLES) {
      if (s.name().equalsIgnoreCase(name.strip())) {
        return s;
      }
    }
    throw new IllegalArgumentException("unknown sample '" + name + "'; choose one of "
        + String.join(", ", SAMPLES.stream().map(Sample::name).toList()));
  }

  /**
   * Writes exactly {@code rows} data rows (plus a header) of {@code sample} to {@code out}, calling
   * {@code progress} with the running row count now and then. Does not close {@code out}.
   */
  public static Stats generate(Sample sample, long rows, long seed, OutputStream out, LongConsumer progress) {
    if (rows < 1) {
      throw new IllegalArgumentException("rows must be at least 1");
    }
    DataGenPrng rng = new DataGenPrng(seed);
    CsvSink sink = new CsvSink(out);
    sink.header(sample.columns().toArray(String[]::new));
    Sample.UnitWriter writer = sample.writer(rows, rng);
    long written = 0;
    long units = 0;
    long nextReport = PROGRESS_EVERY;
    while (written < rows) {
      units++;
      written += writer.writeUnit(units, rows - written, rng, sink);
      if (written >= nextReport) {
        progress.accept(written);
        nextReport = written + PROGRESS_EVERY;
      }
    }
    sink.flush();
    progress.accept(written);
    return new Stats(written, units);
  }

  /** Writes {@code DIR/NAME.csv} and {@code DIR/NAME.yaml} (creating DIR). */
  public static Written generateTo(Sample sample, long rows, long seed, Path dir, LongConsumer progress) {
    try {
      Files.createDirectories(dir);
      Path csv = dir.resolve(sample.name() + ".csv");
      Path yaml = dir.resolve(sample.name() + ".yaml");
      Stats stats;
      try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(csv), 1 << 16)) {
        stats = generate(sample, rows, seed, out, progress);
      }
      Files.writeString(yaml, yaml(sample, csv.getFileName().toString(), rows, seed), StandardCharsets.UTF_8);
      return new Written(csv, yaml, stats);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write the sample: " + e.getMessage(), e);
    }
  }

  /** The dataset YAML for a generated CSV named {@code csvFile} (relative to the YAML). */
  public static String yaml(Sample sample, String csvFile, long rows, long seed) {
    String template = template(sample.name());
    String command = "dpq samples generate " + sample.name() + " --rows " + rows
        + (seed == DEFAULT_SEED ? "" : " --seed " + seed) + " --out DIR";
    return template.replace("${csv}", csvFile).replace("${command}", command)
        .replace("${rows}", String.format(Locale.ROOT, "%,d", rows));
  }

  private static String template(String name) {
    String resource = "/org/dpq/cli/samples/" + name + ".yaml";
    try (InputStream in = SampleGenerator.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
