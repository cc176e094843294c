package org.dpq.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The {@code --dataset FILE} option shared by every command that works on a dataset. */
public final class DatasetOption {
  @Option(names = {"--dataset", "-d"}, required = true, paramLabel = "FILE",
      description = "The dataset YAML file (its paths are relative to the file).")
  Path dataset;

  /** The YAML file, checked to exist (a missing file is a usage error, exit 2). */
  public Path file() {
    if (!Files.isRegularFile(dataset)) {
      throw new CliUsageException("--dataset: no such file: " + dataset);
    }
    return dataset.toAbsolutePath().normalize();
  }
}
