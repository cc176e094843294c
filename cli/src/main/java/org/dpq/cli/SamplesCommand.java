package org.dpq.cli;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.dpq.cli.samples.Sample;
import org.dpq.cli.samples.SampleGenerator;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code dpq samples}: synthetic data sets to try dpq on. */
@Command(name = "samples", mixinStandardHelpOptions = true,
    description = "Synthetic sample data sets (ratings, clinic, transactions) at any size.",
    subcommands = {SamplesCommand.Generate.class, SamplesCommand.ListSamples.class},
    footer = {"", "Examples:", "  dpq samples list", "  dpq samples generate clinic --rows 1000000 --out /tmp/clinic"})
public final class SamplesCommand implements Callable<Integer> {
  @Spec CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return ExitCodes.USAGE;
  }

  /** {@code dpq samples list}. */
  @Command(name = "list", mixinStandardHelpOptions = true, description = "Lists the samples.")
  public static final class ListSamples implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      for (Sample s : SampleGenerator.samples()) {
        spec.commandLine().getOut().printf("%-13s %s%n", s.name(), s.summary());
      }
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  /** {@code dpq samples generate}. */
  @Command(name = "generate", sortOptions = false, mixinStandardHelpOptions = true,
      description = {"Writes a synthetic sample data set: NAME.csv and, beside it, NAME.yaml (with --out), or the "
          + "CSV on standard output. Several rows per person; the same seed gives the same data.", "",
          "The seed only fixes the synthetic data: query noise is never seeded."},
      footer = {"", "Examples:",
          "  dpq samples generate ratings --rows 1000 --out samples      # the committed sample",
          "  dpq samples generate transactions --rows 5000000 --seed 7 --out /tmp/tx",
          "  dpq samples generate clinic --rows 100 > visits.csv"})
  public static final class Generate implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "NAME", completionCandidates = Names.class,
        description = "The sample: ${COMPLETION-CANDIDATES}.")
    String name;

    @Option(names = {"--rows", "-n"}, required = true, paramLabel = "N", description = "Number of data rows.")
    long rows;

    @Option(names = "--seed", paramLabel = "S", description = "Seed of the synthetic data (default: "
        + SampleGenerator.DEFAULT_SEED + ", which made the committed samples).")
    Long seed;

    @Option(names = {"--out", "-o"}, paramLabel = "DIR",
        description = "Write DIR/NAME.csv and DIR/NAME.yaml instead of the CSV on standard output.")
    Path out;

    @Spec CommandSpec spec;

    @Override
    public Integer call() {
      Sample sample;
      try {
        sample = SampleGenerator.sample(name);
      } catch (IllegalArgumentException e) {
        throw new CliUsageException(e.getMessage());
      }
      if (rows < 1) {
        throw new CliUsageException("--rows must be at least 1");
      }
      long s = seed == null ? SampleGenerator.DEFAULT_SEED : seed;
      long start = System.nanoTime();
      if (out == null) {
        try {
          OutputStream stdout = new BufferedOutputStream(System.out, 1 << 16);
          SampleGenerator.generate(sample, rows, s, stdout, done -> { });
          stdout.flush();
        } catch (IOException e) {
          throw new UncheckedIOException("cannot write the sample", e);
        }
        return ExitCodes.OK;
      }
      SampleGenerator.Written written;
      try (Progress progress = Progress.counter(Progress.interactive(), spec.commandLine().getErr(),
          "generating " + sample.name(), rows)) {
        written = SampleGenerator.generateTo(sample, rows, s, out, progress::update);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      spec.commandLine().getOut().printf(Locale.ROOT, "wrote %,d rows (%,d %s) to %s in %.2f s%nwrote %s%n",
          written.stats().rows(), written.stats().units(), sample.unitColumn().replace("_id", "s"), written.csv(),
          seconds, written.yaml());
      spec.commandLine().getOut().flush();
      return ExitCodes.OK;
    }
  }

  /** Sample names for help and completion. */
  static final class Names implements Iterable<String> {
    @Override
    public Iterator<String> iterator() {
      return SampleGenerator.samples().stream().map(Sample::name).iterator();
    }
  }
}
