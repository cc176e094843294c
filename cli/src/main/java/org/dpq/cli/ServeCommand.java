package org.dpq.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.dpq.server.ServerMain;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code dpq serve}: runs the dpq server (see the README, "Serving many analysts"). Analysts then reach the data
 * only through its API, authenticated by token, each spending their own allocation.
 */
@Command(name = "serve", sortOptions = false, mixinStandardHelpOptions = true,
    description = {"Serves datasets over HTTPS to authenticated analysts, each within their own allocation of "
        + "the dataset's budget.", "", "Stops gracefully on SIGTERM or Ctrl-C: requests in flight finish."},
    footer = {"", "Examples:", "  DPQ_KEYSTORE_PASSWORD=... dpq serve --config server.yaml",
        "  dpq serve --config server.yaml --insecure-localhost    # plain HTTP on 127.0.0.1 only, for testing"})
public final class ServeCommand implements Callable<Integer> {
  @Option(names = "--config", required = true, paramLabel = "FILE", description = "The server config (YAML).")
  Path config;

  @Option(names = "--insecure-localhost",
      description = "Serve plain HTTP, bound to 127.0.0.1 whatever listen.host says (testing only).")
  boolean insecureLocalhost;

  @Override
  public Integer call() throws InterruptedException {
    if (!Files.isRegularFile(config)) {
      throw new CliUsageException("--config: no such file: " + config);
    }
    try {
      ServerMain.run(config, insecureLocalhost);
    } catch (IllegalArgumentException e) {
      throw new CliUsageException(e.getMessage());
    }
    return ExitCodes.OK;
  }
}
