package org.dpq.engine.catalog;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.node.DoubleNode;
import com.fasterxml.jackson.databind.node.NullNode;
import java.io.IOException;
import java.util.Locale;

/**
 * Jackson deserializers that keep YAML scalars as written, so that the validator (not the YAML parser) decides
 * what a number means: the parser fails on YAML's {@code .inf} and {@code .nan} as numbers, which would stop
 * binding and hide every other problem. Owns no privacy property.
 */
final class YamlScalars {
  private YamlScalars() {}

  /** A number field kept as its text ({@code 3}, {@code 3.0}, {@code 1e-6}, {@code .inf}). */
  static final class NumberText extends StdDeserializer<String> {
    private static final long serialVersionUID = 1L;

    NumberText() {
      super(String.class);
    }

    @Override
    public String deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      JsonToken t = p.currentToken();
      if (t != null && t.isScalarValue()) {
        return p.getText();
      }
      return (String) ctxt.handleUnexpectedToken(String.class, p);
    }
  }

  /** A public value as a YAML node, with {@code .inf}/{@code .nan} read as the doubles they denote. */
  static final class PublicValue extends StdDeserializer<JsonNode> {
    private static final long serialVersionUID = 1L;

    PublicValue() {
      super(JsonNode.class);
    }

    @Override
    public JsonNode deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
      if (p.currentToken() == JsonToken.VALUE_NUMBER_FLOAT) {
        Double special = special(p.getText());
        if (special != null) {
          return DoubleNode.valueOf(special);
        }
      }
      return ctxt.readTree(p);
    }

    @Override
    public JsonNode getNullValue(DeserializationContext ctxt) {
      return NullNode.getInstance();
    }
  }

  /** YAML's special floats, or null. */
  static Double special(String text) {
    String t = text.strip().toLowerCase(Locale.ROOT);
    switch (t) {
      case ".inf":
      case "+.inf":
        return Double.POSITIVE_INFINITY;
      case "-.inf":
        return Double.NEGATIVE_INFINITY;
      case ".nan":
        return Double.NaN;
      default:
        return null;
    }
  }
}
