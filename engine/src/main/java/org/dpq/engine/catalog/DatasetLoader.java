package org.dpq.engine.catalog;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.dpq.errors.DatasetValidationException;

/**
 * Reads a dataset YAML (DESIGN.md's contract) into a validated {@link Dataset}. Owns the rule that a dataset
 * reaches the query path only when all of its privacy-relevant declarations are present and consistent: the
 * privacy unit, the contribution bounds G and R, column bounds, public domains and the budget. Every problem is
 * reported at once in a {@link DatasetValidationException}, each under its key path.
 *
 * <p>Relative paths ({@code source.csv}, {@code source.parquet}, {@code source.spark.csv|parquet}, {@code ledger})
 * resolve against the YAML file's folder; the default ledger is {@code <name>.ledger.db} there. Source files are not opened here (so that budget
 * commands work without the data); the backend and {@link Fingerprint} report a missing file.
 *
 * <p>Public values are stored as the text the backend's Java value prints as: {@code Long.toString} for int and
 * long columns, {@code Double.toString} for doubles, {@code true}/{@code false}, ISO dates, strings as written.
 */
public final class DatasetLoader {
  private static final ObjectReader READER = YAMLMapper.builder()
      .propertyNamingStrategy(PropertyNamingStrategies.SNAKE_CASE)
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
      .addHandler(new YamlProblemHandler())
      .build()
      .readerFor(DatasetYaml.class);

  private DatasetLoader() {}

  /**
   * Loads and validates a dataset YAML file.
   *
   * @throws DatasetValidationException listing every problem (an unreadable file is one problem)
   */
  public static Dataset load(Path yaml) {
    Path file = realPath(yaml.toAbsolutePath().normalize());
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      throw new DatasetValidationException("dataset file " + file,
          List.of("(file): not found; check the path of the dataset file"));
    } catch (IOException e) {
      throw new DatasetValidationException("dataset file " + file,
          List.of("(file): cannot be read as UTF-8 text (" + e.getClass().getSimpleName() + ")"));
    }
    Path dir = file.getParent() == null ? file.getFileSystem().getPath("") : file.getParent();
    return read(text, dir, Optional.of(file), "dataset file " + file);
  }

  /**
   * The file's real path (symbolic links resolved), so that relative paths, the default ledger among them,
   * resolve from the folder that really holds the YAML: two paths to one YAML (a symlink in another folder) then
   * share one ledger instead of opening a fresh budget for the same dataset. A missing file stays as given (and is
   * reported as not found).
   */
  static Path realPath(Path file) {
    try {
      return file.toRealPath();
    } catch (IOException e) {
      return file;
    }
  }

  /**
   * Parses and validates dataset YAML text; relative paths resolve against {@code baseDir}.
   *
   * @throws DatasetValidationException listing every problem
   */
  public static Dataset parse(String yamlText, Path baseDir) {
    return read(yamlText, baseDir.toAbsolutePath().normalize(), Optional.empty(), "dataset YAML");
  }

  private static Dataset read(String text, Path baseDir, Optional<Path> yamlPath, String what) {
    Problems problems = new Problems();
    DatasetYaml yaml = null;
    boolean bound = false;
    try {
      yaml = READER.withAttribute(YamlProblemHandler.PROBLEMS, problems).readValue(text);
      bound = true;
    } catch (JsonParseException e) {
      boolean duplicate = e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Duplicate field");
      problems.add(duplicate ? parsePath(e) : "", syntax(e));
    } catch (MismatchedInputException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("No content")) {
        problems.add("", "the document is empty; expected a mapping with keys "
            + String.join(", ", YamlProblemHandler.keys(DatasetYaml.class)));
      } else if (e.getMessage() != null && e.getMessage().startsWith("Trailing token")) {
        problems.add("", "only one YAML document is allowed (found another after '---'" + at(e.getLocation()) + ")");
      } else {
        problems.add(mappingPath(e), "cannot be read: " + e.getOriginalMessage() + at(e.getLocation()));
      }
    } catch (JsonMappingException e) {
      problems.add(mappingPath(e), "cannot be read: " + e.getOriginalMessage() + at(e.getLocation()));
    } catch (JsonProcessingException e) {
      problems.add("", syntax(e));
    }
    Dataset dataset = bound ? new DatasetValidator(problems, baseDir).validate(yaml, yamlPath) : null;
    if (!problems.isEmpty()) {
      throw new DatasetValidationException(what, problems.messages());
    }
    return dataset;
  }

  private static String parsePath(JsonParseException e) {
    JsonParser p = e.getProcessor();
    return p == null ? "" : YamlProblemHandler.path(p);
  }

  private static String syntax(JsonProcessingException e) {
    String original = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
    if (original.startsWith("Duplicate field")) {
      return "given twice; each key may appear only once" + at(e.getLocation());
    }
    String firstLine = original.lines().findFirst().orElse("").strip();
    return "not valid YAML: " + firstLine + at(e.getLocation());
  }

  private static String mappingPath(JsonMappingException e) {
    StringBuilder b = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (b.length() > 0) {
          b.append('.');
        }
        b.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        b.append('[').append(r.getIndex()).append(']');
      }
    }
    return b.toString();
  }

  private static String at(JsonLocation location) {
    if (location == null || location.getLineNr() < 1) {
      return "";
    }
    return " (line " + location.getLineNr() + ", column " + location.getColumnNr() + ")";
  }
}
