package org.dpq.cli.samples;

import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;

/**
 * A buffered CSV byte writer for synthetic sample data: integers and fixed-point decimals are formatted by
 * hand, and categorical values are written from pre-encoded bytes, so generation runs at millions of rows per
 * second. Values are never quoted, so callers only write plain tokens (no commas, quotes or newlines).
 */
public final class CsvSink implements AutoCloseable {
  private final OutputStream out;
  private final byte[] buf = new byte[1 << 16];
  private int pos;
  private boolean firstField = true;

  /** A sink writing to {@code out} (closed by {@link #close}). */
  public CsvSink(OutputStream out) {
    this.out = out;
  }

  /** Pre-encodes a plain token. */
  public static byte[] token(String text) {
    for (int i = 0; i < text.length(); i++) {
      char c = text.charAt(i);
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        throw new IllegalArgumentException("sample tokens are written unquoted and must not contain , \" or newlines");
      }
    }
    return text.getBytes(StandardCharsets.UTF_8);
  }

  /** Writes a header line. */
  public void header(String... names) {
    for (String n : names) {
      field(token(n));
    }
    endRow();
  }

  /** Writes a pre-encoded token. */
  public void field(byte[] token) {
    separator(token.length);
    System.arraycopy(token, 0, buf, pos, token.length);
    pos += token.length;
  }

  /** Writes an integer. */
  public void field(long value) {
    separator(21);
    if (value < 0) {
      if (value == Long.MIN_VALUE) {
        throw new IllegalArgumentException("value out of range");
      }
      buf[pos++] = '-';
      value = -value;
    }
    writeDigits(value, 1);
  }

  /** Writes {@code hundredths / 100} with exactly two decimals, e.g. 12345 as {@code 123.45}. */
  public void fixed2(long hundredths) {
    separator(23);
    if (hundredths < 0) {
      buf[pos++] = '-';
      hundredths = -hundredths;
    }
    writeDigits(hundredths / 100, 1);
    buf[pos++] = '.';
    writeDigits(hundredths % 100, 2);
  }

  /** Ends the current row. */
  public void endRow() {
    ensure(1);
    buf[pos++] = '\n';
    firstField = true;
  }

  private void separator(int room) {
    ensure(room + 1);
    if (!firstField) {
      buf[pos++] = ',';
    }
    firstField = false;
  }

  private void writeDigits(long value, int minDigits) {
    int start = pos;
    int n = 0;
    do {
      buf[pos++] = (byte) ('0' + (value % 10));
      value /= 10;
      n++;
    } while (value != 0 || n < minDigits);
    for (int i = start, j = pos - 1; i < j; i++, j--) {
      byte t = buf[i];
      buf[i] = buf[j];
      buf[j] = t;
    }
  }

  private void ensure(int room) {
    if (pos + room > buf.length) {
      flushBuffer();
    }
  }

  private void flushBuffer() {
    try {
      out.write(buf, 0, pos);
      pos = 0;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Writes out everything buffered. */
  public void flush() {
    flushBuffer();
    try {
      out.flush();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    flush();
    try {
      out.close();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
