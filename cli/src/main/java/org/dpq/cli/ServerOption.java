package org.dpq.cli;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Map;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.dpq.api.DpqService;
import org.dpq.client.DpqClient;
import org.dpq.engine.PhaseListener;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code --server URL} option: with it a command runs against a dpq server (the dataset is then its name
 * on the server), without it against the dataset YAML in this process. The token comes from {@code DPQ_TOKEN}
 * or the file named by {@code DPQ_TOKEN_FILE}, never from a flag (flags land in shell history and process
 * lists); a server certificate outside the JVM's trust store is trusted through {@code DPQ_TRUSTSTORE}.
 */
public final class ServerOption {
  static final String TRUSTSTORE_ENV = "DPQ_TRUSTSTORE";
  static final String TRUSTSTORE_PASSWORD_ENV = "DPQ_TRUSTSTORE_PASSWORD";

  @Option(names = "--server", paramLabel = "URL",
      description = "A dpq server (https://host:port) to run this command on; --dataset is then the dataset's "
          + "name there. The token is read from DPQ_TOKEN or the file named by DPQ_TOKEN_FILE.")
  URI server;

  /** The command this option belongs to: its root {@link Main} holds the environment. */
  @Spec(Spec.Target.MIXEE) CommandSpec mixee;

  boolean remote() {
    return server != null;
  }

  /** The command interface: remote when {@code --server} is given, else embedded. */
  DpqService open(PhaseListener phases, PrintWriter err) {
    if (!remote()) {
      return new EmbeddedService(phases, err);
    }
    return client();
  }

  /** The client of {@code --server}, for what only a server has (an officer's allocations). */
  DpqClient client() {
    Map<String, String> env = Main.environment(mixee);
    return DpqClient.connect(server, DpqClient.tokenFrom(env), sslContext(env));
  }

  /** The dataset argument as the service names it: the YAML path embedded, the name remotely. */
  String dataset(DatasetOption option) {
    return remote() ? option.dataset.toString() : option.file().toString();
  }

  /** Refuses {@code --analyst} with {@code --server}: the server decides who asks. */
  void checkAnalyst(LossOptions loss) {
    if (remote() && loss.analyst != null) {
      throw new CliUsageException("--analyst cannot be used with --server: the server records the principal "
          + "of your token");
    }
  }

  private static SSLContext sslContext(Map<String, String> env) {
    String path = env.get(TRUSTSTORE_ENV);
    if (path == null || path.isBlank()) {
      return null;
    }
    String pw = env.get(TRUSTSTORE_PASSWORD_ENV);
    try (InputStream in = Files.newInputStream(Path.of(path))) {
      KeyStore ks = KeyStore.getInstance("PKCS12");
      ks.load(in, pw == null ? null : pw.toCharArray());
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(ks);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new CliUsageException(TRUSTSTORE_ENV + ": cannot read the trust store " + path + " ("
          + e.getClass().getSimpleName() + "); give a PKCS#12 file holding the server's certificate");
    }
  }
}
