package org.dpq.engine.catalog;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.OptionalDouble;
import java.util.regex.Pattern;

/**
 * The identity of a dataset's data and its declared interpretation, as a SHA-256 hex string, for the ledger's
 * reuse of stored answers: an answer recorded under one fingerprint is only returned again for the same
 * fingerprint.
 *
 * <p>What it covers: for CSV and Parquet sources, every byte of the file(s) (streamed, each file hashed on its
 * own; for a Parquet glob, the sorted file names too) and the CSV reading options (delimiter, quote, header, null
 * text, date format), and for all sources the declared table name, privacy unit, contribution bounds G and R, and
 * each column's name, type, bounds, public values, source column ({@code from}) and automatic-bounds share, in
 * order. Any change to these gives a different fingerprint (up to SHA-256 collisions); the same bytes under another
 * path or name, or a changed budget, defaults or ledger location, give the same one. A dataset of several tables
 * adds every table's source, declarations and link ({@code unit_via}, {@code public} and {@code key}), and its joint
 * key domains ({@code key_domains}).
 *
 * <p>What it does not cover: a JDBC source is identified by its URL without credentials (user info, {@code user},
 * {@code password} and similar parameters are dropped) plus the table name, not by the table's content, so
 * rows changed in the database keep the fingerprint. Reusing a stored answer is still private (it releases
 * nothing new), but it may be stale. A file changed while it is being hashed may give a fingerprint of neither
 * version. A Spark source is identified likewise by its format and location (table name, path or URI), not by
 * its content nor by the master that runs it. Owns no privacy property beyond this identity.
 */
public final class Fingerprint {
  private static final String VERSION = "dpq-fingerprint-v1";
  private static final Pattern USER_INFO = Pattern.compile("//[^/?#@]*@");
  private static final Pattern CREDENTIAL_KEY =
      Pattern.compile("(?i)user|username|uid|pwd|.*password.*|.*secret.*|.*token.*|sslkey");

  private Fingerprint() {}

  /**
   * The fingerprint of a dataset's data and declarations.
   *
   * @throws UncheckedIOException when a source file cannot be read (the message names the path, never content)
   */
  public static String of(Dataset d) {
    return of(d, SourceStamps.off());
  }

  /**
   * The fingerprint, with each source file's hash taken from {@code stamps} when the file's stamp is unchanged
   * (see {@link SourceStamps} for why that is safe), else computed and stamped.
   *
   * @throws UncheckedIOException when a source file cannot be read (the message names the path, never content)
   */
  public static String of(Dataset d, SourceStamps stamps) {
    MessageDigest outer = sha256();
    text(outer, VERSION);
    source(outer, d.source(), stamps);
    schema(outer, d);
    if (d.hasSeveralTables()) {
      // only with several tables, so that single-table datasets keep their fingerprints
      text(outer, "tables");
      number(outer, d.allTables().size());
      for (TableSpec t : d.allTables()) {
        source(outer, t.source(), stamps);
        schema(outer, d.single(t));
        link(outer, t.link());
        for (KeyDomain k : t.keyDomains()) {
          // only when declared, so that datasets without joint key domains keep their fingerprints
          text(outer, "key_domain:" + k.table());
          number(outer, k.columns().size());
          for (int i = 0; i < k.columns().size(); i++) {
            text(outer, k.columns().get(i));
            text(outer, k.publicColumns().get(i));
          }
        }
      }
    }
    return HexFormat.of().formatHex(outer.digest());
  }

  private static void link(MessageDigest md, TableSpec.Link link) {
    if (link instanceof TableSpec.Link.Unit) {
      text(md, "unit");
    } else if (link instanceof TableSpec.Link.Private p) {
      text(md, "unit_via:" + p.column());
      text(md, p.target().table());
      text(md, p.target().column());
    } else if (link instanceof TableSpec.Link.Public p) {
      text(md, "public:" + p.key());
    }
  }

  private static void source(MessageDigest outer, Source s, SourceStamps stamps) {
    if (s instanceof Source.Csv csv) {
      text(outer, "csv");
      outer.update(stamps.digest(csv.path(), Fingerprint::fileDigest));
      if (!csv.options().defaultFormat()) {
        // How the bytes are read changes what the table holds; the default format adds nothing (stable ids).
        Source.CsvOptions o = csv.options();
        text(outer, "format:" + o.delimiter() + o.quote() + o.header());
        text(outer, o.nullString().orElse("-"));
        text(outer, o.dateFormat().orElse("-"));
      }
    } else if (s instanceof Source.Parquet parquet) {
      text(outer, "parquet");
      List<Path> files = parquetFiles(parquet.path());
      number(outer, files.size());
      for (Path f : files) {
        text(outer, files.size() == 1 ? "" : f.getFileName().toString());
        outer.update(stamps.digest(f, Fingerprint::fileDigest));
      }
    } else if (s instanceof Source.Jdbc jdbc) {
      text(outer, "jdbc");
      text(outer, withoutCredentials(jdbc.url()));
      text(outer, jdbc.table());
    } else if (s instanceof Source.Spark spark) {
      text(outer, "spark");
      text(outer, spark.format().name());
      text(outer, spark.location());
    } else {
      throw new IllegalArgumentException("unknown source kind " + s);
    }
  }

  /** A JDBC URL with its user info and credential-like parameters removed. */
  static String withoutCredentials(String url) {
    String noUserInfo = USER_INFO.matcher(url).replaceFirst("//");
    int q = firstSeparator(noUserInfo);
    if (q < 0) {
      return noUserInfo;
    }
    StringBuilder b = new StringBuilder(noUserInfo.substring(0, q));
    String[] params = noUserInfo.substring(q + 1).split("[&;?]");
    char sep = noUserInfo.charAt(q);
    for (String param : params) {
      if (param.isEmpty()) {
        continue;
      }
      String key = param.contains("=") ? param.substring(0, param.indexOf('=')) : param;
      if (CREDENTIAL_KEY.matcher(key.strip()).matches()) {
        continue;
      }
      b.append(sep).append(param);
      sep = sep == '?' ? '&' : sep;
    }
    return b.toString();
  }

  private static int firstSeparator(String url) {
    int q = url.indexOf('?');
    int semi = url.indexOf(';');
    if (q < 0) {
      return semi;
    }
    return semi < 0 ? q : Math.min(q, semi);
  }

  private static void schema(MessageDigest md, Dataset d) {
    text(md, d.table());
    text(md, d.unit() instanceof PrivacyUnit.ByColumn c ? "unit:" + c.column() : "row");
    number(md, d.maxGroupsContributed());
    number(md, d.maxRowsPerGroup());
    if (d.maxRowsPerUnit().isPresent()) {
      // only when declared, so that datasets without a total cap keep their fingerprints
      text(md, "max_rows_per_unit");
      number(md, d.maxRowsPerUnit().getAsInt());
    }
    number(md, d.columns().size());
    for (Column c : d.columns()) {
      text(md, c.name());
      text(md, c.type().name());
      bound(md, c.lower());
      bound(md, c.upper());
      if (c.publicValues().isPresent()) {
        List<String> values = c.publicValues().get();
        number(md, values.size());
        for (String v : values) {
          text(md, v);
        }
      } else {
        number(md, -1);
      }
      if (c.from().isPresent()) {
        text(md, "from:" + c.from().get());
      }
      if (c.autoBounds().isPresent()) {
        // only when declared, so that other datasets keep their fingerprints; estimated bounds are never hashed
        text(md, "auto_bounds:" + c.autoBounds().get().epsilon().stripTrailingZeros().toPlainString());
      }
    }
  }

  private static List<Path> parquetFiles(Path path) {
    String name = path.getFileName() == null ? "" : path.getFileName().toString();
    boolean glob = name.indexOf('*') >= 0 || name.indexOf('?') >= 0 || name.indexOf('[') >= 0;
    if (!glob) {
      return List.of(path);
    }
    List<Path> files = new ArrayList<>();
    try (DirectoryStream<Path> dir = Files.newDirectoryStream(path.getParent(), name)) {
      for (Path f : dir) {
        if (Files.isRegularFile(f)) {
          files.add(f);
        }
      }
    } catch (IOException e) {
      throw unreadable(path, e);
    }
    if (files.isEmpty()) {
      throw new UncheckedIOException("no file matches the Parquet source " + path, new IOException("no match"));
    }
    files.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
    return files;
  }

  private static byte[] fileDigest(Path file) {
    MessageDigest md = sha256();
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        md.update(buffer, 0, n);
      }
    } catch (IOException e) {
      throw unreadable(file, e);
    }
    return md.digest();
  }

  private static UncheckedIOException unreadable(Path file, IOException e) {
    return new UncheckedIOException("cannot read the source " + file + " to fingerprint it ("
        + e.getClass().getSimpleName() + "); check source in the dataset YAML", e);
  }

  private static void bound(MessageDigest md, OptionalDouble b) {
    text(md, b.isPresent() ? Double.toString(b.getAsDouble() + 0.0) : "-");
  }

  private static void text(MessageDigest md, String s) {
    byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
    number(md, bytes.length);
    md.update(bytes);
  }

  private static void number(MessageDigest md, long v) {
    for (int i = 7; i >= 0; i--) {
      md.update((byte) (v >>> (8 * i)));
    }
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK lacks SHA-256", e);
    }
  }
}
