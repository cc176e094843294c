package org.dpq.engine.execution;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;
import org.dpq.errors.BackendException;
import org.junit.jupiter.api.Test;

class CsvHeaderTest {
  private static List<String> parse(String text) throws IOException {
    return CsvHeader.parse(new BufferedReader(new StringReader(text)), Path.of("f.csv"));
  }

  @Test
  void readsOnlyTheFirstRecord() throws IOException {
    assertEquals(List.of("age", "sex", "pid"), parse("age,sex,pid\n1,2,3\n"));
    assertEquals(List.of("age", "sex"), parse("age,sex\r\n1,2\r\n"));
    assertEquals(List.of("age", "sex"), parse("\uFEFFage, sex \n"));
    assertEquals(List.of("a,b", "say \"hi\"", "c"), parse("\"a,b\",\"say \"\"hi\"\"\",c"));
    assertEquals(List.of("multi\nline", "x"), parse("\"multi\nline\",x\n1,2"));
    assertEquals(List.of("a", "", "c"), parse("a,,c\n"));
  }

  @Test
  void anEmptyFileHasNoHeader() {
    BackendException e = assertThrows(BackendException.class, () -> parse(""));
    assertTrue(e.getMessage().contains("is empty"), e.getMessage());
  }
}
