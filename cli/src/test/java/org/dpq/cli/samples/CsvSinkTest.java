package org.dpq.cli.samples;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CsvSinkTest {

  @Test
  void formatsIntegersAndFixedPointExactly() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CsvSink sink = new CsvSink(bytes);
    sink.header("a", "b", "c", "d");
    sink.field(0);
    sink.fixed2(0);
    sink.fixed2(5);
    sink.fixed2(12345);
    sink.endRow();
    sink.field(-42);
    sink.fixed2(-7);
    sink.field(Long.MAX_VALUE);
    sink.field(CsvSink.token("x y"));
    sink.endRow();
    sink.flush();
    assertEquals("a,b,c,d\n0,0.00,0.05,123.45\n-42,-0.07,9223372036854775807,x y\n",
        bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void flushesAcrossItsBuffer() {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    CsvSink sink = new CsvSink(bytes);
    StringBuilder expected = new StringBuilder();
    for (int i = 0; i < 50_000; i++) {
      sink.field(i);
      sink.fixed2(i);
      sink.endRow();
      expected.append(i).append(',').append(i / 100).append('.').append(String.format("%02d", i % 100)).append('\n');
    }
    sink.flush();
    assertEquals(expected.toString(), bytes.toString(StandardCharsets.UTF_8));
  }

  @Test
  void refusesTokensThatWouldNeedQuoting() {
    assertThrows(IllegalArgumentException.class, () -> CsvSink.token("a,b"));
    assertThrows(IllegalArgumentException.class, () -> CsvSink.token("a\"b"));
    assertThrows(IllegalArgumentException.class, () -> CsvSink.token("a\nb"));
  }
}
