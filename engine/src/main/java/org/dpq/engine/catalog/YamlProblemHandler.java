package org.dpq.engine.catalog;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JavaType;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.ValueInstantiator;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * Turns Jackson's binding problems (unknown keys, a list where a mapping belongs, ...) into key-path messages
 * and lets binding continue, so that one load reports every problem. Owns no privacy property; it keeps a
 * mistyped bound or budget key from being silently ignored.
 */
final class YamlProblemHandler extends DeserializationProblemHandler {
  /** The context attribute under which each read keeps its {@link Problems}. */
  static final Object PROBLEMS = new Object();

  private static final PropertyNamingStrategies.NamingBase SNAKE =
      (PropertyNamingStrategies.NamingBase) PropertyNamingStrategies.SNAKE_CASE;

  @Override
  public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer,
      Object beanOrClass, String propertyName) throws IOException {
    Class<?> type = beanOrClass instanceof Class<?> c ? c : beanOrClass.getClass();
    problems(ctxt).add(unknownKeyPath(path(p), propertyName), "unknown key; expected one of "
        + String.join(", ", keys(type)));
    p.skipChildren();
    return true;
  }

  @Override
  public Object handleUnexpectedToken(DeserializationContext ctxt, JavaType targetType, JsonToken t, JsonParser p,
      String failureMsg) throws IOException {
    if (t == JsonToken.VALUE_STRING && DatasetValidator.TODO.equals(p.getText().strip())) {
      problems(ctxt).add(path(p), DatasetValidator.TODO_HINT + "give the value, or remove the key where it is "
          + "optional (public_values: the complete list of public keys)");
      p.skipChildren();
      return null;
    }
    problems(ctxt).add(path(p), "must be " + expected(targetType.getRawClass()) + ", not " + found(t));
    p.skipChildren();
    return null;
  }

  @Override
  public Object handleMissingInstantiator(DeserializationContext ctxt, Class<?> instClass,
      ValueInstantiator valueInsts, JsonParser p, String msg) throws IOException {
    problems(ctxt).add(path(p), "must be " + expected(instClass) + ", not " + found(p.currentToken()));
    p.skipChildren();
    return null;
  }

  /**
   * The path of an unknown key. When a record's creator has not yet received all its properties, Jackson buffers
   * the unknown one and replays it from a buffer whose context repeats the key ({@code ignored.ignored}); the
   * repeated last segment is dropped.
   */
  static String unknownKeyPath(String path, String key) {
    String doubled = key + "." + key;
    if (path.equals(doubled) || path.endsWith("." + doubled)) {
      return path.substring(0, path.length() - key.length() - 1);
    }
    return path;
  }

  /** The snake_case keys a record DTO accepts, in declaration order. */
  static List<String> keys(Class<?> type) {
    RecordComponent[] components = type.getRecordComponents();
    if (components == null) {
      return List.of();
    }
    return Arrays.stream(components).map(c -> {
      com.fasterxml.jackson.annotation.JsonProperty named =
          c.getAccessor().getAnnotation(com.fasterxml.jackson.annotation.JsonProperty.class);
      return named != null ? named.value() : SNAKE.translate(c.getName());
    }).collect(Collectors.toList());
  }

  /** The dotted key path of the value the parser is on, e.g. {@code columns.sex.public_values[2]}. */
  static String path(JsonParser p) {
    JsonStreamContext ctx = p.getParsingContext();
    JsonToken t = p.currentToken();
    if ((t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) && ctx != null) {
      ctx = ctx.getParent();
    }
    List<JsonStreamContext> chain = new ArrayList<>();
    for (; ctx != null && !ctx.inRoot(); ctx = ctx.getParent()) {
      chain.add(0, ctx);
    }
    StringBuilder b = new StringBuilder();
    for (JsonStreamContext c : chain) {
      if (c.inArray()) {
        b.append('[').append(Math.max(c.getCurrentIndex(), 0)).append(']');
      } else if (c.getCurrentName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(c.getCurrentName());
      }
    }
    return b.toString();
  }

  private static Problems problems(DeserializationContext ctxt) {
    return (Problems) ctxt.getAttribute(PROBLEMS);
  }

  private static String expected(Class<?> type) {
    if (type == DatasetYaml.class) {
      return "a mapping with keys " + String.join(", ", keys(type));
    }
    if (type == DatasetYaml.SourceYaml.class) {
      return "a mapping with exactly one of csv, parquet, jdbc, spark, e.g. { csv: data/pums.csv }";
    }
    if (type == DatasetYaml.SparkYaml.class) {
      return "a mapping with one of table, csv, parquet and an optional master, e.g. { table: db.pums }";
    }
    if (type == DatasetYaml.JdbcYaml.class) {
      return "a mapping { url: jdbc:..., table: ... }";
    }
    if (type == DatasetYaml.LossYaml.class || type == DatasetYaml.BudgetYaml.class) {
      return "a mapping { epsilon: ..., delta: ... }";
    }
    if (type == DatasetYaml.TableYaml.class) {
      return "a mapping such as { source: { csv: orders.csv }, unit_via: { customer_id: customers.customer_id }, "
          + "columns: { ... } }";
    }
    if (type == DatasetYaml.ColumnYaml.class) {
      return "a mapping such as { type: int, lower: 0, upper: 100 }";
    }
    if (type == DatasetYaml.BoundsYaml.class || type == DatasetYaml.AutoYaml.class) {
      return "a mapping { auto: { epsilon: 0.1 } } (bounds estimated once with DP, paid from the budget), or "
          + "remove bounds and give lower and upper";
    }
    if (Map.class.isAssignableFrom(type)) {
      return "a mapping of column name to its definition, e.g. age: { type: int, lower: 0, upper: 100 }";
    }
    if (List.class.isAssignableFrom(type)) {
      return "a list, e.g. [\"0\", \"1\"]";
    }
    return "a single value";
  }

  private static String found(JsonToken t) {
    if (t == JsonToken.START_ARRAY) {
      return "a list";
    }
    if (t == JsonToken.START_OBJECT) {
      return "a mapping";
    }
    return "a single value";
  }
}
