package org.dpq.engine.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.dpq.engine.catalog.DatasetYaml.TableYaml;

/**
 * Checks the {@code tables:} of a dataset of several tables and builds their {@link TableSpec}s, recording every
 * problem under its key path. Owns the catalog rules that make every private row belong to exactly one unit:
 * exactly one unit table (named by {@code privacy_unit: { table, column }}); every other table either public
 * (with a declared {@code key}) or private with one {@code unit_via} key whose target is a declared column of a
 * private table; every chain of {@code unit_via} keys ends at the unit table (no cycle); every joint key domain
 * ({@code key_domains:}) maps two or more columns of a private table, none the unit, each in at most one domain,
 * onto columns of the same kind of a declared public table.
 */
final class DatasetTables {
  private static final String UNIT_EXAMPLE = "privacy_unit: { table: customers, column: customer_id }";

  private final Problems problems;
  private final Path baseDir;

  DatasetTables(Problems problems, Path baseDir) {
    this.problems = problems;
    this.baseDir = baseDir;
  }

  /** The tables in declaration order (only those without problems); problems are recorded. */
  List<TableSpec> validate(DatasetYaml y) {
    for (String key : List.of("table", "source", "columns")) {
      boolean given = switch (key) {
        case "table" -> y.table() != null;
        case "source" -> y.source() != null;
        default -> y.columns() != null;
      };
      if (given) {
        problems.add(key, "with tables:, each table has its own name, source and columns; move " + key
            + " under tables.<name>");
      }
    }
    String unitTable = unitPart(y.privacyUnit(), "table");
    if (y.tables().isEmpty()) {
      problems.add("tables", "declare at least the unit table, e.g. tables: { customers: { source: { csv: "
          + "customers.csv }, columns: { customer_id: { type: int } } } }");
      return List.of();
    }
    Map<String, TableSpec> specs = new LinkedHashMap<>();
    Map<String, String> seen = new HashMap<>();
    for (Map.Entry<String, TableYaml> e : y.tables().entrySet()) {
      String name = e.getKey();
      String path = Problems.path("tables", name);
      boolean ok = true;
      if (!DatasetValidator.isIdentifier(name)) {
        problems.add(path, "table name must be an SQL identifier: letters, digits and _, not starting with a digit");
        ok = false;
      }
      String earlier = seen.putIfAbsent(name.toLowerCase(Locale.ROOT), name);
      if (earlier != null) {
        problems.add(path, "is the same name as table '" + earlier + "' (SQL compares names case-insensitively)");
        ok = false;
      }
      TableYaml t = e.getValue();
      if (t == null) {
        problems.add(path, "missing; give the table's source and columns");
        continue;
      }
      DatasetValidator sub = new DatasetValidator(problems.under(path), baseDir);
      Source source = sub.tableSource(t.source());
      Map<String, Column> columns = sub.tableColumns(t.columns(), source);
      TableSpec.Link link = link(path, name, t, unitTable, columns);
      if (ok && source != null && link != null && !problems.reportedAtOrUnder(path)) {
        specs.put(name.toLowerCase(Locale.ROOT), new TableSpec(name, source, List.copyOf(columns.values()), link));
      }
    }
    if (unitTable != null && !specs.containsKey(unitTable.toLowerCase(Locale.ROOT))
        && y.tables().keySet().stream().noneMatch(unitTable::equalsIgnoreCase)) {
      problems.add("privacy_unit.table", "names no table under tables: (declared: "
          + String.join(", ", y.tables().keySet()) + ")");
    }
    unitColumnChecks(y.privacyUnit(), specs);
    targets(specs);
    chains(specs);
    keyDomains(y, specs);
    return problems.isEmpty() ? List.copyOf(specs.values()) : List.of();
  }

  /** The unit column of a valid {@code privacy_unit: { table, column }}, as declared in the unit table. */
  static Optional<String> unitColumn(JsonNode node, TableSpec unitTable) {
    if (node == null || !node.isObject() || node.get("column") == null) {
      return Optional.empty();
    }
    return unitTable.column(node.get("column").asText()).map(Column::name);
  }

  /** {@code privacy_unit.table} or {@code .column}, recording a problem when the mapping is malformed. */
  private String unitPart(JsonNode node, String part) {
    if (node == null || node.isNull()) {
      if (part.equals("table")) {
        problems.add("privacy_unit", "missing; with tables:, name the unit's table and column, e.g. " + UNIT_EXAMPLE);
      }
      return null;
    }
    if (!node.isObject()) {
      if (part.equals("table")) {
        problems.add("privacy_unit", "with tables:, name the unit's table and column, e.g. " + UNIT_EXAMPLE
            + " (each row its own unit is not supported with several tables)");
      }
      return null;
    }
    if (part.equals("table")) {
      for (Iterator<String> it = node.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!f.equals("table") && !f.equals("column")) {
          problems.add(Problems.path("privacy_unit", f), "unknown key; expected one of table, column");
        }
      }
    }
    JsonNode v = node.get(part);
    if (v == null || !v.isValueNode() || v.isNull()) {
      problems.add(Problems.path("privacy_unit", part), "missing; e.g. " + UNIT_EXAMPLE);
      return null;
    }
    return v.asText();
  }

  private TableSpec.Link link(String path, String name, TableYaml t, String unitTable, Map<String, Column> columns) {
    boolean isUnit = unitTable != null && name.equalsIgnoreCase(unitTable);
    Boolean isPublic = Boolean.FALSE;
    if (t.isPublic() != null) {
      String v = t.isPublic().strip().toLowerCase(Locale.ROOT);
      if (v.equals("true") || v.equals("false")) {
        isPublic = v.equals("true");
      } else {
        problems.add(Problems.path(path, "public"), "must be true (a public table: no unit's data, joined on its "
            + "key) or false");
        isPublic = null;
      }
    }
    if (isUnit) {
      if (t.unitVia() != null) {
        problems.add(Problems.path(path, "unit_via"), "the unit table holds the privacy unit itself; remove unit_via");
      }
      if (Boolean.TRUE.equals(isPublic)) {
        problems.add(Problems.path(path, "public"), "the unit table holds every unit's own row and cannot be public");
      }
      if (t.key() != null) {
        problems.add(Problems.path(path, "key"), "applies to public tables only; remove it");
      }
      return new TableSpec.Link.Unit();
    }
    if (Boolean.TRUE.equals(isPublic)) {
      if (t.unitVia() != null) {
        problems.add(Problems.path(path, "unit_via"), "a public table holds no unit's data; remove unit_via, or "
            + "remove public: true if its rows belong to units");
      }
      if (t.key() == null) {
        problems.add(Problems.path(path, "key"), "missing; a public table needs its unique key column (joins must "
            + "use it so that a private row meets at most one public row), e.g. key: product_id");
        return null;
      }
      if (!columns.isEmpty() && columns.keySet().stream().noneMatch(t.key()::equalsIgnoreCase)) {
        problems.add(Problems.path(path, "key"), "column '" + t.key() + "' is not declared under tables." + name
            + ".columns; declare it");
        return null;
      }
      return new TableSpec.Link.Public(declaredName(columns, t.key()));
    }
    if (t.key() != null) {
      problems.add(Problems.path(path, "key"), "applies to public tables only (public: true); remove it");
    }
    if (isPublic == null) {
      return null;
    }
    if (t.unitVia() == null) {
      problems.add(path, "declare how its rows reach the privacy unit: unit_via: { column: table.column } for a "
          + "private table (e.g. unit_via: { customer_id: customers.customer_id }), or public: true and key: for a "
          + "public table");
      return null;
    }
    if (t.unitVia().size() != 1) {
      problems.add(Problems.path(path, "unit_via"), "give exactly one key, e.g. unit_via: { customer_id: "
          + "customers.customer_id }");
      return null;
    }
    Map.Entry<String, String> via = t.unitVia().entrySet().iterator().next();
    String viaPath = Problems.path(Problems.path(path, "unit_via"), via.getKey());
    if (!columns.isEmpty() && columns.keySet().stream().noneMatch(via.getKey()::equalsIgnoreCase)) {
      problems.add(viaPath, "column '" + via.getKey() + "' is not declared under tables." + name
          + ".columns; declare the key column");
      return null;
    }
    String target = via.getValue();
    String[] parts = target == null ? new String[0] : target.strip().split("\\.", -1);
    if (parts.length != 2 || !DatasetValidator.isIdentifier(parts[0]) || !DatasetValidator.isIdentifier(parts[1])) {
      problems.add(viaPath, "must name the target as table.column, e.g. customers.customer_id");
      return null;
    }
    return new TableSpec.Link.Private(declaredName(columns, via.getKey()), new ColumnRef(parts[0], parts[1]));
  }

  private static String declaredName(Map<String, Column> columns, String name) {
    return columns.keySet().stream().filter(name::equalsIgnoreCase).findFirst().orElse(name);
  }

  private void unitColumnChecks(JsonNode node, Map<String, TableSpec> specs) {
    String table = node != null && node.isObject() && node.get("table") != null ? node.get("table").asText() : null;
    String column = node != null && node.isObject() && node.get("column") != null ? node.get("column").asText()
        : null;
    if (table == null || column == null) {
      return;
    }
    TableSpec unit = specs.get(table.toLowerCase(Locale.ROOT));
    if (unit == null) {
      return;
    }
    Optional<Column> c = unit.column(column);
    String path = Problems.path(Problems.path(Problems.path("tables", unit.name()), "columns"), column);
    if (c.isEmpty()) {
      problems.add("privacy_unit.column", "column '" + column + "' is not declared under tables." + unit.name()
          + ".columns; declare it, e.g. " + column + ": { type: int }");
      return;
    }
    ColumnType type = c.get().type();
    if (type != ColumnType.INT && type != ColumnType.LONG && type != ColumnType.STRING) {
      problems.add(Problems.path(path, "type"), "the privacy unit column identifies people, so it must be int, long "
          + "or string");
    }
    if (c.get().isBounded()) {
      problems.add(path, "the privacy unit column identifies people and is never summed; remove lower and upper");
    }
    if (c.get().hasPublicDomain()) {
      problems.add(Problems.path(path, "public_values"), "the privacy unit column cannot have a public domain "
          + "(grouping by the unit would release per-person results); remove public_values");
    }
  }

  /** Every {@code unit_via} target is a declared column of a private table, of a type the key can equal. */
  private void targets(Map<String, TableSpec> specs) {
    for (TableSpec t : specs.values()) {
      if (!(t.link() instanceof TableSpec.Link.Private p)) {
        continue;
      }
      String path = Problems.path(Problems.path(Problems.path("tables", t.name()), "unit_via"), p.column());
      TableSpec target = specs.get(p.target().table().toLowerCase(Locale.ROOT));
      if (target == null) {
        problems.add(path, "names table '" + p.target().table() + "', which is not declared under tables: (or has "
            + "problems of its own); declared: " + specs.values().stream().map(TableSpec::name).toList());
        continue;
      }
      if (!target.isPrivate()) {
        problems.add(path, "points to the public table '" + target.name() + "', which holds no unit's data; point "
            + "it to the unit table or to a private table that reaches it");
        continue;
      }
      Optional<Column> targetColumn = target.column(p.target().column());
      if (targetColumn.isEmpty()) {
        problems.add(path, "names column '" + p.target().column() + "', which is not declared under tables."
            + target.name() + ".columns");
        continue;
      }
      Column key = t.column(p.column()).orElseThrow();
      if (family(key.type()) != family(targetColumn.get().type())) {
        problems.add(path, "joins a " + DatasetValidator.typeName(key.type()) + " column to a "
            + DatasetValidator.typeName(targetColumn.get().type()) + " column; declare both keys with one type");
      }
    }
  }

  private static int family(ColumnType t) {
    return switch (t) {
      case INT, LONG -> 0;
      case STRING -> 1;
      case DOUBLE -> 2;
      case BOOLEAN -> 3;
      case DATE -> 4;
    };
  }

  /** Every private table reaches the unit table through its chain of keys; a cycle never does. */
  private void chains(Map<String, TableSpec> specs) {
    for (TableSpec start : specs.values()) {
      if (!(start.link() instanceof TableSpec.Link.Private)) {
        continue;
      }
      Set<String> visited = new LinkedHashSet<>();
      TableSpec t = start;
      while (t != null && t.link() instanceof TableSpec.Link.Private p) {
        if (!visited.add(t.name())) {
          List<String> chain = new ArrayList<>(visited);
          chain.add(t.name());
          problems.add(Problems.path(Problems.path("tables", start.name()), "unit_via"), "the key chain "
              + String.join(" -> ", chain) + " is a cycle and never reaches the unit table; point one unit_via to "
              + "the unit table");
          break;
        }
        t = specs.get(p.target().table().toLowerCase(Locale.ROOT));
      }
    }
  }

  private static final String KEY_DOMAIN_EXAMPLE = "key_domains: [ { table: flag_status, columns: { l_returnflag: "
      + "flag, l_linestatus: status } } ]";

  /**
   * Checks every {@code key_domains:} entry and attaches the valid ones to their tables: the named table is a
   * declared public table, and each mapped column exists on both sides with the same kind of type.
   */
  private void keyDomains(DatasetYaml y, Map<String, TableSpec> specs) {
    JsonNode unitNode = y.privacyUnit();
    String unitColumn = unitNode != null && unitNode.isObject() && unitNode.get("column") != null
        ? unitNode.get("column").asText() : null;
    for (Map.Entry<String, TableYaml> e : y.tables().entrySet()) {
      TableYaml t = e.getValue();
      if (t == null || t.keyDomains() == null) {
        continue;
      }
      String path = Problems.path(Problems.path("tables", e.getKey()), "key_domains");
      TableSpec spec = specs.get(e.getKey().toLowerCase(Locale.ROOT));
      if (spec == null) {
        continue; // the table's own problems are reported
      }
      if (!spec.isPrivate()) {
        problems.add(path, "a public table's columns are public already; declare key_domains on the private table "
            + "whose columns are grouped, e.g. " + KEY_DOMAIN_EXAMPLE);
        continue;
      }
      List<KeyDomain> domains = new ArrayList<>();
      Set<String> used = new HashSet<>();
      for (int i = 0; i < t.keyDomains().size(); i++) {
        KeyDomain d = keyDomain(path + "[" + i + "]", spec, t.keyDomains().get(i), specs, used, unitColumn);
        if (d != null) {
          domains.add(d);
        }
      }
      specs.put(e.getKey().toLowerCase(Locale.ROOT), new TableSpec(spec.name(), spec.source(), spec.columns(),
          spec.link(), domains));
    }
  }

  private KeyDomain keyDomain(String path, TableSpec spec, DatasetYaml.KeyDomainYaml d, Map<String, TableSpec> specs,
      Set<String> used, String unitColumn) {
    if (d == null || d.table() == null || d.columns() == null) {
      problems.add(path, "give the public table and the columns it holds, e.g. " + KEY_DOMAIN_EXAMPLE);
      return null;
    }
    TableSpec pub = specs.get(d.table().toLowerCase(Locale.ROOT));
    if (pub == null || pub.isPrivate()) {
      problems.add(Problems.path(path, "table"), pub == null
          ? "names table '" + d.table() + "', which is not declared under tables:; declare it with public: true and "
              + "its key"
          : "names the private table '" + pub.name() + "'; a key domain must come from a public table (public: "
              + "true), never from private rows");
      return null;
    }
    if (d.columns().size() < 2) {
      problems.add(Problems.path(path, "columns"), "map at least two columns (a joint domain); for one column "
          + "declare its public_values instead");
      return null;
    }
    List<String> columns = new ArrayList<>();
    List<String> publicColumns = new ArrayList<>();
    boolean ok = true;
    for (Map.Entry<String, String> c : d.columns().entrySet()) {
      String cpath = Problems.path(Problems.path(path, "columns"), c.getKey());
      Optional<Column> mine = spec.column(c.getKey());
      Optional<Column> theirs = c.getValue() == null ? Optional.empty() : pub.column(c.getValue());
      if (mine.isEmpty()) {
        problems.add(cpath, "column '" + c.getKey() + "' is not declared under tables." + spec.name() + ".columns");
        ok = false;
      } else if (theirs.isEmpty()) {
        problems.add(cpath, "names column '" + c.getValue() + "', which is not declared under tables." + pub.name()
            + ".columns; declare it there or map to one of " + pub.columns().stream().map(Column::name).toList());
        ok = false;
      } else if (family(mine.get().type()) != family(theirs.get().type())) {
        problems.add(cpath, "maps a " + DatasetValidator.typeName(mine.get().type()) + " column to a "
            + DatasetValidator.typeName(theirs.get().type()) + " column; declare both with one type");
        ok = false;
      } else if (spec.link() instanceof TableSpec.Link.Private p && p.column().equalsIgnoreCase(c.getKey())
          || spec.link() instanceof TableSpec.Link.Unit && unitColumn != null
          && unitColumn.equalsIgnoreCase(c.getKey())) {
        problems.add(cpath, "is the key that links rows to the privacy unit and is never grouped by; remove it");
        ok = false;
      } else if (!used.add(mine.get().name().toLowerCase(Locale.ROOT))) {
        problems.add(cpath, "is in an earlier key domain too; give each column at most one key domain");
        ok = false;
      } else {
        columns.add(mine.get().name());
        publicColumns.add(theirs.get().name());
      }
    }
    return ok ? new KeyDomain(pub.name(), columns, publicColumns) : null;
  }
}
