package org.dpq.cli.shell;

import java.io.OutputStream;
import java.io.Writer;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * UTF-8 bytes to a {@link Writer}, so that a JLine terminal over plain streams (piped input, tests) writes to the
 * command's output writer. An incomplete multi-byte sequence waits for its remaining bytes.
 */
public final class WriterOutputStream extends OutputStream {
  private final Writer writer;
  private final CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
      .onMalformedInput(CodingErrorAction.REPLACE).onUnmappableCharacter(CodingErrorAction.REPLACE);
  private ByteBuffer pending = ByteBuffer.allocate(256);
  private final CharBuffer chars = CharBuffer.allocate(1024);

  public WriterOutputStream(Writer writer) {
    this.writer = writer;
  }

  @Override
  public synchronized void write(int b) {
    write(new byte[] {(byte) b}, 0, 1);
  }

  @Override
  public synchronized void write(byte[] b, int off, int len) {
    if (pending.remaining() < len) {
      ByteBuffer bigger = ByteBuffer.allocate(Math.max(pending.capacity() * 2, pending.position() + len));
      pending.flip();
      bigger.put(pending);
      pending = bigger;
    }
    pending.put(b, off, len);
    drain();
  }

  private void drain() {
    pending.flip();
    try {
      while (true) {
        var result = decoder.decode(pending, chars, false);
        chars.flip();
        writer.write(chars.toString());
        chars.clear();
        if (result.isUnderflow()) {
          break;
        }
      }
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    } finally {
      pending.compact();
    }
  }

  @Override
  public synchronized void flush() throws java.io.IOException {
    writer.flush();
  }
}
