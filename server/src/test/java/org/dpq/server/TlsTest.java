package org.dpq.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.NetworkInterface;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.dpq.client.DpqClient;
import org.dpq.client.DpqRemoteException;
import org.dpq.client.ErrorCode;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * HTTPS from a PKCS#12 keystore made at test time with the JDK's keytool: a client that trusts the certificate
 * gets answers, one that does not is refused, plain HTTP on the TLS port gets nothing, a config without a
 * keystore does not start without --insecure-localhost, and that flag binds to 127.0.0.1 only.
 */
class TlsTest {
  private static final String PASSWORD = "test-keystore-password";

  @TempDir Path dir;

  private Path keystore() throws Exception {
    Path p12 = dir.resolve("server.p12");
    Process keytool = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
        "-genkeypair", "-alias", "dpq", "-keyalg", "EC", "-groupname", "secp256r1", "-dname", "CN=localhost",
        "-ext", "SAN=dns:localhost,ip:127.0.0.1", "-validity", "2", "-storetype", "PKCS12", "-keystore",
        p12.toString(), "-storepass", PASSWORD, "-keypass", PASSWORD).redirectErrorStream(true).start();
    String out = new String(keytool.getInputStream().readAllBytes());
    assertTrue(keytool.waitFor(60, TimeUnit.SECONDS) && keytool.exitValue() == 0, out);
    return p12;
  }

  private static SSLContext trusting(Path p12) throws Exception {
    KeyStore ks = KeyStore.getInstance("PKCS12");
    try (InputStream in = Files.newInputStream(p12)) {
      ks.load(in, PASSWORD.toCharArray());
    }
    Certificate cert = ks.getCertificate("dpq");
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("dpq", cert);
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ctx = SSLContext.getInstance("TLS");
    ctx.init(null, tmf.getTrustManagers(), null);
    return ctx;
  }

  @Test
  void aClientThatTrustsTheCertificateIsAnsweredAndOneThatDoesNotIsRefused() throws Exception {
    Path p12 = keystore();
    ServerFixture fx = new ServerFixture(dir, ", keystore: server.p12, keystore_password_env: DPQ_KEYSTORE_PASSWORD",
        "1.0", "1.0");
    try (ServerProcess server = ServerProcess.start(fx.config, false, Map.of("DPQ_KEYSTORE_PASSWORD", PASSWORD))) {
      assertTrue(server.url.startsWith("https://"), server.url);
      URI uri = URI.create(server.url);
      try (DpqClient trusted = DpqClient.connect(uri, fx.token("alice"), trusting(p12))) {
        assertEquals(List.of("ratings"), trusted.datasets());
      }
      try (DpqClient untrusted = DpqClient.connect(uri, fx.token("alice"))) {
        DpqRemoteException e = assertThrows(DpqRemoteException.class, untrusted::datasets);
        assertEquals(ErrorCode.UNAVAILABLE, e.code());
        assertTrue(e.getMessage().contains("SSL"), e.getMessage());
      }
      URI plain = URI.create(server.url.replace("https://", "http://"));
      try (DpqClient cleartext = DpqClient.connect(plain, fx.token("alice"))) {
        DpqRemoteException e = assertThrows(DpqRemoteException.class, cleartext::datasets);
        assertNotEquals(ErrorCode.UNAUTHORIZED, e.code());
      }
    }
  }

  @Test
  void withoutAKeystoreTheServerStartsOnlyWithInsecureLocalhostAndThenOnLoopbackOnly() throws Exception {
    ServerFixture fx = new ServerFixture(dir, "", "1.0", "1.0");
    IllegalStateException refused = assertThrows(IllegalStateException.class,
        () -> ServerProcess.start(fx.config, false, Map.of()));
    assertTrue(refused.getMessage().contains("--insecure-localhost"), refused.getMessage());
    try (ServerProcess server = ServerProcess.start(fx.config, true, Map.of())) {
      URI uri = URI.create(server.url);
      assertEquals("127.0.0.1", uri.getHost());
      try (Socket s = new Socket()) {
        s.connect(new InetSocketAddress("127.0.0.1", uri.getPort()), 5000);
      }
      Optional<InetAddress> external = externalAddress();
      Assumptions.assumeTrue(external.isPresent(), "this machine has no non-loopback IPv4 address to try");
      try (Socket s = new Socket()) {
        assertThrows(IOException.class, () -> s.connect(new InetSocketAddress(external.get(), uri.getPort()), 5000),
            "--insecure-localhost must not listen on " + external.get());
      }
    }
  }

  private static Optional<InetAddress> externalAddress() throws IOException {
    for (NetworkInterface ni : Collections.list(NetworkInterface.getNetworkInterfaces())) {
      if (!ni.isUp() || ni.isLoopback()) {
        continue;
      }
      for (InetAddress a : Collections.list(ni.getInetAddresses())) {
        if (a instanceof Inet4Address && !a.isLoopbackAddress()) {
          return Optional.of(a);
        }
      }
    }
    return Optional.empty();
  }
}
